package ingest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// bomb is a deflate stream of n×unitSize bytes built without compressing them: a block of
// compressed zeros that ends in a sync flush can be repeated, because its back-references only
// reach zeros it wrote itself.
type bomb struct {
	prefix    string // stored before the zeros (uncompressed)
	unitSize  int
	units     int
	compData  []byte
	crc       uint32
	unpacked  uint64
	declared  uint64 // the size written into the zip directory
	entryName string
}

func newBomb(t testing.TB, entry, prefix string, unitSize, units int) *bomb {
	t.Helper()
	b := &bomb{prefix: prefix, unitSize: unitSize, units: units, entryName: entry}
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write([]byte(prefix))
	w.Flush()
	head := bytes.Clone(buf.Bytes())
	buf.Reset()
	w2, _ := flate.NewWriter(&buf, flate.BestCompression)
	zeros := make([]byte, unitSize)
	for i := range zeros {
		zeros[i] = '0'
	}
	w2.Write(zeros)
	w2.Flush()
	unit := bytes.Clone(buf.Bytes())
	buf.Reset()
	w3, _ := flate.NewWriter(&buf, flate.BestCompression)
	w3.Close()
	tail := buf.Bytes()
	b.compData = append(b.compData, head...)
	for range units {
		b.compData = append(b.compData, unit...)
	}
	b.compData = append(b.compData, tail...)
	crc := crc32.ChecksumIEEE([]byte(prefix))
	for range units {
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	b.crc = crc
	b.unpacked = uint64(len(prefix)) + uint64(unitSize)*uint64(units)
	b.declared = b.unpacked
	return b
}

// bombXLSX is a workbook whose worksheet (or other part) is the bomb.
func bombXLSX(t testing.TB, b *bomb) string {
	t.Helper()
	parts := map[string]string{
		"_rels/.rels":                `<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml":   `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>姓名</t></is></c></row></sheetData></worksheet>`,
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"} {
		if name == b.entryName {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: b.crc,
				CompressedSize64: uint64(len(b.compData)), UncompressedSize64: b.declared})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(b.compData)
			continue
		}
		w, _ := zw.Create(name)
		w.Write([]byte(parts[name]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, "bomb.xlsx", buf.Bytes())
}

// bounded runs f and fails if it takes longer than d or allocates more than maxAlloc bytes.
func bounded(t *testing.T, d time.Duration, maxAlloc uint64, f func()) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	f()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("took %v, allocated %s", elapsed, sizeText(int64(alloc)))
	if elapsed > d {
		t.Errorf("took %v, limit %v", elapsed, d)
	}
	if alloc > maxAlloc {
		t.Errorf("allocated %s, limit %s", sizeText(int64(alloc)), sizeText(int64(maxAlloc)))
	}
}

// readToError opens a file and reads it to its end, returning the first error (nil at io.EOF).
func readToError(path string, opts Options) error {
	src, err := Open(path, opts)
	if err != nil {
		return err
	}
	defer src.Close()
	for {
		if _, err := src.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// TestZipBomb: a worksheet of 1 GiB packed into ~1 MB is refused from the zip directory.
func TestZipBomb(t *testing.T) {
	b := newBomb(t, "xl/worksheets/sheet1.xml", `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>`, 1<<20, 1024)
	path := bombXLSX(t, b)
	st, _ := os.Stat(path)
	t.Logf("bomb: %s on disk, %s unpacked", sizeText(st.Size()), sizeText(int64(b.unpacked)))
	var err error
	bounded(t, time.Second, 16<<20, func() { err = readToError(path, Options{}) })
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "zip 炸弹") {
		t.Errorf("got %v", err)
	}
	// Even with the ratio check switched off, the reader never holds more than one bounded
	// token of the endless cell text.
	bounded(t, 2*time.Second, 64<<20, func() {
		err = readToError(path, Options{Limits: Limits{MaxRatio: 1e9}})
	})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "超过 4.0 MB 的单个元素") {
		t.Errorf("ratio check off: %v", err)
	}
}

// TestZipBombLyingSize: an entry that declares a small size but inflates to 1 GiB is cut off at
// the declared size.
func TestZipBombLyingSize(t *testing.T) {
	b := newBomb(t, "xl/worksheets/sheet1.xml", `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>`, 1<<20, 1024)
	b.declared = 1 << 20
	path := bombXLSX(t, b)
	var err error
	bounded(t, time.Second, 16<<20, func() { err = readToError(path, Options{}) })
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("got %v", err)
	}
}

func TestZipLimits(t *testing.T) {
	t.Run("entry count", func(t *testing.T) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i := range 20000 {
			zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("x/%d", i), Method: zip.Store})
		}
		zw.Close()
		path := writeTemp(t, "many.xlsx", buf.Bytes())
		var err error
		bounded(t, time.Second, 64<<20, func() { _, err = Open(path, Options{}) })
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "20000 个文件（上限 10000）") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("unpacked size", func(t *testing.T) {
		_, err := Open(filepath.Join("testdata", "enrollment_titled.xlsx"), Options{Limits: Limits{MaxUnpackedSize: 10 << 10}})
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "解压后超过 10.0 KB") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("file size", func(t *testing.T) {
		_, err := Open(filepath.Join("testdata", "enrollment_titled.xlsx"), Options{Limits: Limits{MaxXLSXSize: 1000}})
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "文件过大") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("shared strings", func(t *testing.T) {
		_, err := Open(filepath.Join("testdata", "registry_libreoffice.xlsx"), Options{Limits: Limits{MaxSharedStrings: 100}})
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "共享字符串表") {
			t.Errorf("got %v", err)
		}
	})
}

// laughs is the "billion laughs" DTD: ten levels of ten-fold entity expansion (10^9 copies).
func laughs(root string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\n<!DOCTYPE " + root + " [\n<!ENTITY lol \"lol\">\n")
	prev := "lol"
	for i := 1; i <= 9; i++ {
		name := fmt.Sprintf("lol%d", i)
		b.WriteString("<!ENTITY " + name + " \"" + strings.Repeat("&"+prev+";", 10) + "\">\n")
		prev = name
	}
	b.WriteString("]>\n")
	return b.String()
}

// TestXMLEntityBomb: a DTD in any part is refused before anything could expand.
func TestXMLEntityBomb(t *testing.T) {
	sheet := `<worksheet><sheetData><row r="1"><c t="s"><v>0</v></c><c t="inlineStr"><is><t>身份证号</t></is></c></row></sheetData></worksheet>`
	sst := `<sst><si><t>姓名</t></si></sst>`
	tests := []struct {
		name       string
		sheet, sst string
	}{
		{"in the shared strings", sheet, laughs("sst") + `<sst><si><t>&lol9;</t></si></sst>`},
		{"in the worksheet", laughs("worksheet") + `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>`, sst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, "laughs.xlsx", minimalXLSX(t, tt.sheet, tt.sst))
			var err error
			bounded(t, time.Second, 8<<20, func() { err = readToError(path, Options{}) })
			if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "XML 炸弹") {
				t.Errorf("got %v", err)
			}
		})
	}
	t.Run("in the workbook", func(t *testing.T) {
		files := map[string]string{
			"xl/workbook.xml":          laughs("workbook") + `<workbook><sheets><sheet name="&lol9;" sheetId="1"/></sheets></workbook>`,
			"xl/worksheets/sheet1.xml": sheet,
		}
		path := writeTemp(t, "wb.xlsx", zipBytes(t, files, "xl/workbook.xml", "xl/worksheets/sheet1.xml"))
		var err error
		bounded(t, time.Second, 8<<20, func() { err = readToError(path, Options{}) })
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "XML 炸弹") {
			t.Errorf("got %v", err)
		}
	})
}

// TestExcelizeEntityBomb documents excelize's own behaviour on the same file, for code that
// uses it on uploads: encoding/xml does not expand custom entities, so excelize returns quickly
// with the reference unexpanded or dropped, not a billion copies.
func TestExcelizeEntityBomb(t *testing.T) {
	path := writeTemp(t, "laughs.xlsx", minimalXLSX(t,
		`<worksheet><sheetData><row r="1"><c t="s"><v>0</v></c></row></sheetData></worksheet>`,
		laughs("sst")+`<sst><si><t>&lol9;</t></si></sst>`))
	bounded(t, time.Second, 32<<20, func() {
		f, err := excelize.OpenFile(path, excelizeOptions)
		if err != nil {
			t.Logf("excelize refuses: %v", err)
			return
		}
		defer f.Close()
		rows, err := f.GetRows("S")
		t.Logf("excelize reads %q, %v", rows, err)
		for _, r := range rows {
			for _, v := range r {
				if len(v) > 100 {
					t.Errorf("excelize expanded an entity to %d bytes", len(v))
				}
			}
		}
	})
}
