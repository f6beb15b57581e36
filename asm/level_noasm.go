//go:build noasm || !amd64

package asm

// asmKernels returns no levels: this build has no assembly, only Generic.
func asmKernels() []*kernels { return nil }
