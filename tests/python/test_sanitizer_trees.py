"""The TSan tree leaves out tests/cpp's single-threaded files (GORAY_SINGLE_THREADED_TESTS in
tests/cpp/CMakeLists.txt): only right while none of them reaches the runtime's one thread,
the submission queue's flusher, which the first submission starts. A file that submits,
holds a reference or runs an actor, a stream or a graph belongs in the TSan tree."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
CMAKE = ROOT / "tests" / "cpp" / "CMakeLists.txt"
# What leads to a submission or to a thread: the runtime's calls and handles, and threads.
THREADED = re.compile(r"(?<!Value::)\b(RemoteCall\w*|ObjectRef|ActorHandle|Actor\w*Call|Submit\w*|Stream\w*|"
                      r"Graph|Map|MapCollect|Put|Get|Wait|Cancel|std::thread|std::jthread|std::async|"
                      r"pthread_create|Execute|SubmissionQueue)\b")


def single_threaded_files():
    listed = re.search(r"set\(GORAY_SINGLE_THREADED_TESTS\s+([^)]*)\)", CMAKE.read_text())
    assert listed, "tests/cpp/CMakeLists.txt no longer lists GORAY_SINGLE_THREADED_TESTS"
    return listed.group(1).split()


def test_the_listed_files_exist_and_submit_nothing():
    files = single_threaded_files()
    assert files, "an empty list: the TSan tree would build every file"
    for name in files:
        path = ROOT / "tests" / "cpp" / name
        assert path.is_file(), f"{name} is listed but is not in tests/cpp"
        code = re.sub(r"//[^\n]*|/\*.*?\*/", "", path.read_text(), flags=re.S)
        found = sorted(set(THREADED.findall(code)))
        assert not found, (f"{name} uses {found}: it may start the runtime's thread, so "
                           "ThreadSanitizer must build it (take it out of "
                           "GORAY_SINGLE_THREADED_TESTS)")


def test_only_the_tsan_tree_leaves_them_out():
    lib = (ROOT / "scripts" / "lib.sh").read_text()
    assert re.search(r'-DGORAY_TESTS_THREADED_ONLY="\$\(case "\$flags" in \*thread\*\) echo ON', lib)
    assert "option(GORAY_TESTS_THREADED_ONLY" in CMAKE.read_text()
    assert re.search(r'option\(GORAY_TESTS_THREADED_ONLY "[^"]*" OFF\)', CMAKE.read_text())
