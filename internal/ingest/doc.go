// Package ingest reads the spreadsheets county officials import (DESIGN §7, issue 3): .xlsx and
// .csv/.txt files become a uniform stream of rows (Source), the header row is found by its
// column names (DetectHeader, OpenTable), and the rows that had problems are written back to an
// error report (.xlsx) the official can fix and re-import.
//
// Import (import.go) ties it together for `baoxue import`: it converts each row of a kind into a
// baoxue record through internal/normalize and internal/idcard, counts and reports problems per
// row (including ID numbers already in an earlier dataset of the kind, dupcheck.go), writes the
// error report, and stores the dataset atomically through internal/store. Check does the same
// without a database (`baoxue import --dry-run`) and hands the records to any RecordSink, such as
// a file-mode comparison. ExportDataset (export.go) is the way back for `baoxue export`: a stored
// dataset written as .csv or .xlsx (TableWriter, table.go) under the column names the import
// recognises, so that export and re-import give the same normalised values.
//
// Reading and converting run on two goroutines (readahead.go); a large UTF-8 text file checked
// without a database is instead cut into blocks at line starts and converted on every core, with
// a merge in file order (parallel.go: the records, counts and report are the sequential reader's,
// row for row). The converter reuses one record buffer per kind, parses columns with few
// distinct values once (memo), and takes plain values such as an 11-digit mobile number without
// the general parser. Rows stay in file order throughout, so row numbers, the error report and
// duplicate detection are deterministic.
//
// What belongs here: file formats, encodings, delimiters, header synonyms, safety limits against
// hostile files, row-to-record conversion, the report writer and the dataset export. What does
// not: the meaning of a single value (internal/normalize, internal/idcard) and storage
// (internal/store).
//
// # Formats
//
//   - .xlsx (also .xlsm/.xltx, and any file that starts with a zip signature): read by a small
//     streaming reader in this package, not by excelize's Rows iterator, because that iterator
//     returns strings only and cannot tell a number cell from a text cell — and an ID stored as a
//     number is exactly the damage (ID_PRECISION_LOST) the import must recognise. The reader
//     inflates one worksheet part at a time, holds only the shared-string table and one row in
//     memory, and is checked against excelize on the same files in the tests.
//   - .csv/.txt/.tsv and any text file: UTF-8 with or without BOM, UTF-16 with BOM, otherwise
//     GB18030 (a superset of GBK); comma, semicolon or tab detected from the first lines.
//   - .xls (Excel 97–2003, an OLE2 compound file, recognised by its magic bytes D0 CF 11 E0 even
//     under another extension): refused with the advice to save it as .xlsx. No pure-Go .xls
//     reader is well kept (github.com/extrame/xls is not); a wrong value read from an old binary
//     format is worse than a clear message. A password-protected .xlsx is also an OLE2 file and
//     gets its own message.
//   - HTML tables and Excel 2003 XML saved as ".xls" by web systems are recognised and refused
//     with advice.
//
// # Row numbers
//
// Row.Number is the row as the official sees it: the Excel row number for .xlsx, and for text
// files the record number as a spreadsheet program shows it when it opens the file — blank lines
// count, and a quoted field that spans several physical lines is one row.
//
// # Safety limits
//
// DefaultLimits documents the defaults. An .xlsx is checked with archive/zip before any part is
// inflated: the file size, the number of entries, the sum of the declared unpacked sizes and the
// compression ratio of every large entry. Go's archive/zip refuses to inflate more than an
// entry's declared size, so the declared sizes are a real bound; a zip bomb is therefore refused
// from its central directory in milliseconds. XML parts may not contain a DTD (no entity can be
// declared, so no billion-laughs expansion), single XML tokens and text rows are bounded, and the
// number of columns is capped.
package ingest
