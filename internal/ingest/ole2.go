package ingest

import (
	"bytes"
	"io"
	"unicode/utf16"
)

// encryptionInfoName is the directory-entry name (UTF-16LE) of the stream that an encrypted
// Office Open XML file carries inside its OLE2 container ([MS-OFFCRYPTO] 2.1). An .xls has
// "Workbook" or "Book" instead.
var encryptionInfoName = utf16le("EncryptionInfo")

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// ole2Encrypted reports whether an OLE2 compound file is a password-protected .xlsx rather than
// an .xls. Directory entries are 128-byte records aligned to 128 bytes in the file, each starting
// with its UTF-16LE name, so checking the aligned offsets is exact enough without walking the FAT.
// The scan is bounded: encrypted workbooks from a county are far smaller than the bound.
func ole2Encrypted(r io.ReaderAt) bool {
	const chunk = 1 << 20
	const maxScan = 256 << 20
	buf := make([]byte, chunk)
	for off := int64(512); off < maxScan; off += chunk {
		n, err := r.ReadAt(buf, off)
		for i := 0; i+len(encryptionInfoName) <= n; i += 128 {
			if bytes.HasPrefix(buf[i:n], encryptionInfoName) {
				return true
			}
		}
		if err != nil {
			return false
		}
	}
	return false
}
