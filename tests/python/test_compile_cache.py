"""scripts/lib.sh's ccache settings reach every compile on a fresh machine too.

There ccache comes with setup.sh's Debian packages, after the scripts sourced lib.sh: the
settings (CCACHE_BASEDIR above all, without which a clone elsewhere misses the cache) must
be exported again once it is installed (issue 39: CI's fresh clone hit 27 of 443 units)."""
import os
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIB = ROOT / "scripts" / "lib.sh"


def test_apt_install_exports_the_settings_once_ccache_is_installed(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()  # PATH without ccache until the stubbed apt-get "installs" it
    script = f"""
        ROOT=/some/checkout
        source {LIB}
        echo "before: ${{CCACHE_BASEDIR:-unset}} ${{CMAKE_CXX_COMPILER_LAUNCHER:-unset}}"
        id() {{ echo 0; }}
        apt-get() {{ [ "$1" = update ] || /bin/ln -s /bin/true {bin_dir}/ccache; }}
        apt_install ccache
        echo "after: $CCACHE_BASEDIR $CMAKE_CXX_COMPILER_LAUNCHER $CCACHE_NOHASHDIR"
    """
    result = subprocess.run(["/bin/bash", "-c", script], capture_output=True, text=True,
                            env={"PATH": str(bin_dir)}, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["before: unset unset",
                                          "after: /some/checkout ccache true"]


def test_the_scripts_that_compile_after_setup_export_them_again():
    """run-tests.sh's stages, bench.sh and run-example.sh's background build compile in their own process after setup.sh (a
    child, which may have installed ccache) ran."""
    for name in ("bench.sh", "run-example.sh"):
        text = (ROOT / "scripts" / name).read_text()
        assert re.search(r'^bash "\$ROOT/scripts/setup\.sh"[^\n]*\n(#.*\n)*enable_compile_cache\b',
                         text, re.MULTILINE), name
    # run-tests.sh: after setup.sh and before its first stage.
    text = (ROOT / "scripts" / "run-tests.sh").read_text()
    setup = text.index('bash "$ROOT/scripts/setup.sh"')
    enabled = text.index("\nenable_compile_cache\n", setup)
    assert enabled < text.index('\nif [ "$lanes" -eq 1 ]; then\n  run_lanes', enabled)


def test_setup_installs_ccache():
    text = (ROOT / "scripts" / "setup.sh").read_text()
    packages = re.search(r"DEBIAN_PACKAGES=\(([^)]*)\)", text).group(1).split()
    assert "ccache" in packages
    assert os.access(LIB, os.R_OK)


def test_the_scripts_ask_ray_for_workers_at_nice_0_unless_told_otherwise():
    """lib.sh's RAY_worker_niceness (every Ray the scripts start; tests/ray/
    test_worker_niceness.py checks that the workers get it): 0 by default, a value already
    in the environment kept."""
    def niceness(environment):
        result = subprocess.run(["/bin/bash", "-c", f"source {LIB}; echo $RAY_worker_niceness"],
                                capture_output=True, text=True, timeout=30,
                                env={"PATH": os.environ["PATH"], **environment})
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()
    assert niceness({}) == "0"
    assert niceness({"RAY_worker_niceness": "10"}) == "10"
