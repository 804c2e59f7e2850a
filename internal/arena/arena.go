// Package arena copies many small strings into large shared blocks: a reader of millions of rows
// then allocates once per block instead of once per string, and the strings it keeps hold no
// reference to the buffers (a mapped file, a reused row buffer) they were copied from.
//
// A string from an arena keeps its whole block alive: an arena is for strings that live and die
// together (the text of one block of a file, the names of one comparison run).
package arena

import (
	"strings"
	"unsafe"
)

// Block is the size of an arena's blocks; a string longer than a quarter of it gets an
// allocation of its own.
const Block = 256 << 10

// Strings is an arena of strings. The zero value is empty and ready to use.
type Strings struct{ b *strings.Builder }

// Add returns a copy of s in the arena.
func (a *Strings) Add(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > Block/4 {
		return strings.Clone(s)
	}
	if a.b == nil || a.b.Len()+len(s) > a.b.Cap() {
		a.b = &strings.Builder{}
		a.b.Grow(Block)
	}
	n := a.b.Len()
	a.b.WriteString(s)
	return a.b.String()[n:]
}

// AddBytes returns a copy of b in the arena as a string. (Add only copies the string it is
// given, so a view of b is enough.)
func (a *Strings) AddBytes(b []byte) string {
	return a.Add(unsafe.String(unsafe.SliceData(b), len(b)))
}
