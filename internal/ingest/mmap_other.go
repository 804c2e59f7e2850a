//go:build !unix

package ingest

import "os"

// mapFile does not map files on this system: the parallel conversion reads them.
func mapFile(f *os.File, size int64) (data []byte, unmap func(), ok bool) { return nil, nil, false }

func releaseMapped(data []byte, from, to int64) {}
