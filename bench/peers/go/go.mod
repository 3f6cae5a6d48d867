module goray-bench/peers

go 1.21

require github.com/ray4go/go-ray/ray v1.2.1

require (
	github.com/bytedance/gg v1.1.0 // indirect
	github.com/ugorji/go/codec v1.3.0 // indirect
)
