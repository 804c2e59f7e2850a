//go:build unix

package ingest

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps a file read-only: the parallel conversion then reads the page cache in place
// instead of copying gigabytes through read calls. ok is false when it cannot (empty, too big
// for the address space); the caller reads the file instead.
func mapFile(f *os.File, size int64) (data []byte, unmap func(), ok bool) {
	if size <= 0 || size != int64(int(size)) {
		return nil, nil, false
	}
	b, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, false
	}
	return b, func() { _ = unix.Munmap(b) }, true
}

// releaseMapped drops the pages of data[from:to] from the process's mapping once a block is
// done with them (they stay in the page cache): the resident size of a comparison then holds a
// few blocks of the file, not gigabytes. Touching them again faults them back in.
func releaseMapped(data []byte, from, to int64) {
	page := int64(os.Getpagesize())
	from = (from + page - 1) / page * page
	to = to / page * page
	if to > from {
		_ = unix.Madvise(data[from:to], unix.MADV_DONTNEED)
	}
}
