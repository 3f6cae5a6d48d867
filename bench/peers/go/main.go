// The peer benchmark's Go application (bench/peers.py), built with GoRay v1.2.1
// (`go build -buildmode=c-shared`): the same workloads as bench/peers/cpp/app.cpp.
// The driver asks Python which measurement to run (bench_scenario in
// bench/peers/defs.py): GoRay's driver passes no arguments and Go reads the
// environment only once, at start-up. It prints one "BENCH {json}" line.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/ray4go/go-ray/ray"
)

type tasks struct{}

func (tasks) Square(x float64) float64              { return x * x }
func (tasks) Noop()                                 {}
func (tasks) EchoBytes(data []byte) []byte          { return data }
func (tasks) EchoFloats(values []float64) []float64 { return values }

// Scale2 is 2 * a into a new slice.
func (tasks) Scale2(a []float64) []float64 {
	out := make([]float64, len(a))
	for i, x := range a {
		out[i] = 2 * x
	}
	return out
}

type actors struct{}

type Sink struct{}

func (actors) Sink() *Sink { return &Sink{} }
func (*Sink) Noop()        {}

// Microseconds per in-process Python call.
func localPyRound(count int64) float64 {
	start := time.Now()
	for i := int64(0); i < count; i++ {
		var result float64
		if err := ray.LocalCallPyTask("py_square", 2.0).GetInto(&result); err != nil {
			panic(err)
		}
	}
	return time.Since(start).Seconds() / float64(count) * 1e6
}

// Calls per second: `count` submitted, then all fetched.
func throughputRound(count int64, submit func() *ray.ObjectRef) float64 {
	start := time.Now()
	refs := make([]*ray.ObjectRef, 0, count)
	for i := int64(0); i < count; i++ {
		refs = append(refs, submit())
	}
	for _, ref := range refs {
		if err := ray.Get0(ref); err != nil {
			panic(err)
		}
	}
	return float64(count) / time.Since(start).Seconds()
}

func driver() int {
	// GoRay decodes a local Python result into one pointer only: a list.
	var scenario []any
	if err := ray.LocalCallPyTask("bench_scenario").GetInto(&scenario); err != nil {
		fmt.Fprintln(os.Stderr, "bench_scenario:", err)
		return 2
	}
	name, rounds, count := scenario[0].(string), toInt(scenario[1]), toInt(scenario[2])
	if name == "none" {
		return 0
	}
	var samples []float64
	switch name {
	case "local_py":
		localPyRound(count)
		for r := int64(0); r < rounds; r++ {
			samples = append(samples, localPyRound(count))
		}
	case "task":
		submit := func() *ray.ObjectRef { return ray.RemoteCall("Noop") }
		throughputRound(count, submit)
		for r := int64(0); r < rounds; r++ {
			samples = append(samples, throughputRound(count, submit))
		}
	case "actor":
		sink := ray.NewActor("Sink")
		submit := func() *ray.ObjectRef { return sink.RemoteCall("Noop") }
		throughputRound(count, submit)
		for r := int64(0); r < rounds; r++ {
			samples = append(samples, throughputRound(count, submit))
		}
		_ = sink.Kill()
	default:
		fmt.Fprintln(os.Stderr, "unknown scenario", name)
		return 2
	}
	line, _ := json.Marshal(map[string][]float64{"samples": samples})
	fmt.Printf("BENCH %s\n", line)
	return 0
}

func toInt(value any) int64 {
	switch v := value.(type) {
	case int64:
		return v
	case uint64:
		return int64(v)
	case int:
		return int64(v)
	case float64:
		return int64(v)
	}
	panic(fmt.Sprintf("not an integer: %#v", value))
}

func init() {
	ray.Init(tasks{}, actors{}, driver)
}

func main() {}
