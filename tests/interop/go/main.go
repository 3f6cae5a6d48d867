// Go application for the interop tests (tests/interop): a GoRay v1.2.1 library
// (github.com/ray4go/go-ray/ray) built with `go build -buildmode=c-shared` and
// run under OUR Python driver. Its driver prints one line per check,
// "CHECK <name> ok" or "CHECK <name> FAIL <detail>", like the C++ interop app.
// GoRay's StartDriver carries no arguments: the scenario comes from the
// environment (INTEROP_SCENARIO).
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/ray4go/go-ray/ray"
)

type tasks struct{}

func (tasks) Square(x float64) float64          { return x * x }
func (tasks) Divide(a, b int64) (int64, int64)  { return a / b, a % b }
func (tasks) Fail(why string) int64             { panic(why) }
func (tasks) Concat(a, b string) string         { return a + b }
func (tasks) MakeBytes(size int64) []byte       { return make([]byte, size) }
func (tasks) Size(data []byte) int64            { return int64(len(data)) }
func (tasks) SleepMs(ms int64) int64            { time.Sleep(time.Duration(ms) * time.Millisecond); return ms }
func (tasks) Point(x, y float64) map[string]any { return map[string]any{"x": x, "y": y} }
func (tasks) Nothing()                          {}
func (tasks) IntResult() int                    { return 12345 }
func (tasks) TypeOf(v any) string               { return fmt.Sprintf("%T", v) }
func (tasks) Sum4(a, b, c, d int64) int64       { return a + b + c + d }

// A Go task that submits a Go task from its worker.
func (tasks) NestedSquare(x float64) float64 {
	v, err := ray.Get1[float64](ray.RemoteCall("Square", x))
	if err != nil {
		panic(err)
	}
	return v
}

// Go -> Python in-process, inside an in-process call from Python.
func (tasks) CallsPy(x int64) int64 {
	v, err := ray.Get1[int64](ray.LocalCallPyTask("py_local_add", x, 100))
	if err != nil {
		panic(err)
	}
	return v
}

// Fails the first `failures` runs for `marker` (counted in a file): for retries. The run
// that succeeds removes the file, so that no run leaves one behind.
func (tasks) Flaky(marker string, failures int64) int64 {
	seen := int64(0)
	if data, err := os.ReadFile(marker); err == nil {
		seen, _ = strconv.ParseInt(string(data), 10, 64)
	}
	_ = os.WriteFile(marker, []byte(strconv.FormatInt(seen+1, 10)), 0o644)
	if seen < failures {
		panic(fmt.Sprintf("flaky failure %d", seen+1))
	}
	_ = os.Remove(marker)
	return seen + 1
}

type actors struct{}

type Counter struct{ n int64 }

func (actors) Counter(n int64) *Counter { return &Counter{n: n} }
func (c *Counter) Incr(by int64) int64  { c.n += by; return c.n }
func (c *Counter) Get() int64           { return c.n }
func (c *Counter) Reset()               { c.n = 0 }

var failures = 0

func check(name string, ok bool, detail ...any) {
	if ok {
		fmt.Printf("CHECK %s ok\n", name)
		return
	}
	failures++
	fmt.Printf("CHECK %s FAIL %v\n", name, fmt.Sprint(detail...))
}

// try runs one group of checks; a panic (GoRay's way of failing) is a failed check.
func try(name string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			check(name, false, "panic: ", r)
		}
	}()
	f()
}

func common() {
	try("go_task", func() {
		v, err := ray.Get1[float64](ray.RemoteCall("Square", 3.0))
		check("go_task", err == nil && v == 9, v, err)
	})
	try("go_task_multi", func() {
		q, r, err := ray.Get2[int64, int64](ray.RemoteCall("Divide", 17, 5))
		check("go_task_multi", err == nil && q == 3 && r == 2, q, r, err)
	})
	try("nested_go_task", func() {
		v, err := ray.Get1[float64](ray.RemoteCall("NestedSquare", 5.0))
		check("nested_go_task", err == nil && v == 25, v, err)
	})
	try("put_ref_arg", func() {
		put, err := ray.Put(4.0)
		if err != nil {
			panic(err)
		}
		v, err := ray.Get1[float64](ray.RemoteCall("Square", put))
		check("put_ref_arg", err == nil && v == 16, v, err)
	})
	try("go_ref_arg", func() {
		first := ray.RemoteCall("Square", 2.0)
		v, err := ray.Get1[float64](ray.RemoteCall("Square", first))
		check("go_ref_arg", err == nil && v == 16, v, err)
	})
	try("py_task", func() {
		v, err := ray.Get1[int64](ray.RemoteCallPyTask("py_square", 7))
		check("py_task", err == nil && v == 49, v, err)
	})
	try("py_ref_arg", func() {
		text := ray.RemoteCallPyTask("py_text", "b")
		v, err := ray.Get1[string](ray.RemoteCall("Concat", "a", text))
		check("py_ref_arg", err == nil && v == "a<b>", v, err)
	})
	try("py_actor", func() {
		store := ray.NewPyActor("Storage", ray.Option("name", "py_store"))
		if err := ray.Get0(store.RemoteCall("put", "k", 42)); err != nil {
			panic(err)
		}
		v, err := ray.Get1[int64](store.RemoteCall("get", "k"))
		check("py_actor", err == nil && v == 42, v, err)
		again, err := ray.GetActor("py_store")
		if err != nil {
			panic(err)
		}
		v, err = ray.Get1[int64](again.RemoteCall("get", "k"))
		check("get_actor_py", err == nil && v == 42, v, err)
	})
	try("go_actor", func() {
		counter := ray.NewActor("Counter", 10, ray.Option("name", "go_counter"))
		v, err := ray.Get1[int64](counter.RemoteCall("Incr", 5))
		check("go_actor", err == nil && v == 15, v, err)
		again, err := ray.GetActor("go_counter")
		if err != nil {
			panic(err)
		}
		v, err = ray.Get1[int64](again.RemoteCall("Incr", 1))
		check("get_actor_go", err == nil && v == 16, v, err)
		by, err := ray.Put(int64(4))
		if err != nil {
			panic(err)
		}
		v, err = ray.Get1[int64](counter.RemoteCall("Incr", by))
		check("actor_ref_arg", err == nil && v == 20, v, err)
		check("kill", counter.Kill() == nil)
	})
	try("wait", func() {
		slow := ray.RemoteCall("SleepMs", 20000)
		fast := ray.RemoteCall("SleepMs", 1)
		ready, pending, err := ray.Wait([]*ray.ObjectRef{slow, fast}, 1, ray.Option("timeout", 60.0))
		check("wait", err == nil && len(ready) == 1 && ready[0] == fast && len(pending) == 1, ready, pending, err)
		_, err = ray.Get1[int64](slow, ray.WithTimeout(50*time.Millisecond))
		check("get_timeout", err == ray.ErrTimeout, err)
		check("cancel_call", slow.Cancel(ray.Option("force", true)) == nil)
		_, err = ray.Get1[int64](slow, ray.WithTimeout(60*time.Second))
		check("cancel", err != nil && err != ray.ErrTimeout, err)
	})
	try("failure", func() {
		_, err := ray.Get1[int64](ray.RemoteCall("Fail", "boom"))
		check("failure", err != nil && contains(err.Error(), "boom"), err)
	})
	try("local_py_task", func() {
		v, err := ray.Get1[int64](ray.LocalCallPyTask("py_local_add", 2, 3))
		check("local_py_task", err == nil && v == 5, v, err)
	})
	try("python_failure_text", func() {
		// A Go library has no GorayProtocolVersion: a Python failure reaches it as
		// GoRay's text, not as goray's JSON (docs/protocol.md §9).
		_, err := ray.Get1[int64](ray.LocalCallPyTask("no_such_py_function", 1))
		check("python_failure_text", err != nil &&
			contains(err.Error(), "goray.UnknownNameError: Python function 'no_such_py_function' not found") &&
			!contains(err.Error(), `"Message"`), err)
	})
	try("local_py_instance", func() {
		acc := ray.NewPyLocalInstance("LocalAcc", 1)
		v, err := ray.Get1[int64](acc.MethodCall("add", 2))
		check("local_py_instance", err == nil && v == 3, v, err)
		check("local_py_close", acc.Close() == nil)
	})
	try("py_code", func() {
		v, err := ray.Get1[int64](ray.CallPythonCode("def mul(a, b):\n    return a * b\n", 6, 7))
		check("py_code", err == nil && v == 42, v, err)
	})
	try("local_py_calls_go", func() {
		v, err := ray.Get1[float64](ray.LocalCallPyTask("py_local_square_native", 3.0))
		check("local_py_calls_go", err == nil && v == 9, v, err)
	})
	try("retry_exceptions", func() {
		// A failure retried by Ray: under our driver a Go panic is a real Ray failure.
		marker := fmt.Sprintf("%s/go-flaky-%d", tmpDir(), time.Now().UnixNano())
		v, err := ray.Get1[int64](ray.RemoteCall("Flaky", marker, 1, ray.Option("max_retries", 2),
			ray.Option("retry_exceptions", true)))
		check("retry_exceptions", err == nil && v == 2, v, err)
	})
	try("plain_python_named_actor", func() {
		if err := ray.LocalCallPyTask("make_plain_actor", "plain_actor").GetInto(); err != nil {
			panic(err)
		}
		plain, err := ray.GetActor("plain_actor")
		if err != nil {
			panic(err)
		}
		v, err := ray.Get1[string](plain.RemoteCall("ping", 3))
		check("plain_python_named_actor", err == nil && v == "pong 3", v, err)
	})
	try("no_values", func() {
		// A task and a method with no results: an empty block, as GoRay's driver gives.
		values, err := ray.RemoteCall("Nothing").GetAll()
		check("no_values", err == nil && len(values) == 0, values, err)
		counter := ray.NewActor("Counter", 3)
		values, err = counter.RemoteCall("Reset").GetAll()
		check("no_values_method", err == nil && len(values) == 0, values, err)
		check("no_values_get0", ray.Get0(ray.RemoteCall("Nothing")) == nil)
	})
	try("native_bytes", func() {
		// A Go int reaches a Go `any` parameter as Go packed it (int64), not
		// re-encoded by Python (uint64), both from a task and from Put.
		v, err := ray.Get1[string](ray.RemoteCall("TypeOf", ray.RemoteCall("IntResult")))
		check("native_bytes", err == nil && v == "int64", v, err)
		put, err := ray.Put(12345)
		if err != nil {
			panic(err)
		}
		v, err = ray.Get1[string](ray.RemoteCall("TypeOf", put))
		check("native_bytes_put", err == nil && v == "int64", v, err)
	})
	try("same_ref_twice", func() {
		// One ref (auto-released) at two positions of one call.
		obj := ray.RemoteCall("IntResult")
		v, err := ray.Get1[int64](ray.RemoteCall("Sum4", 1, obj, obj, 2))
		check("same_ref_twice", err == nil && v == 24693, v, err)
	})
	try("panic_message", func() {
		// A Go panic has no type: its message exactly, as under GoRay's driver (GoRay's
		// TestTaskPanic compares it so).
		_, err := ray.Get1[int64](ray.RemoteCall("Fail", "this is a test panic"))
		check("panic_message", err != nil && err.Error() == "this is a test panic", err)
	})
	try("big_local_arg", func() {
		v, err := ray.Get1[int64](ray.LocalCallPyTask("py_len", make([]byte, 101<<20)))
		check("big_local_arg", err == nil && v == 101<<20, v, err)
	})
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func tmpDir() string {
	if dir := os.Getenv("INTEROP_TMP"); dir != "" {
		return dir
	}
	return os.TempDir()
}

func driver() int {
	switch os.Getenv("INTEROP_SCENARIO") {
	case "none":
		return 0
	default:
		common()
	}
	fmt.Printf("DONE failures=%d\n", failures)
	return failures
}

func init() {
	ray.Init(tasks{}, actors{}, driver, ray.Option("num_cpus", 2), ray.Option("include_dashboard", false))
}

func main() {}
