package ingest

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// dump renders every row of a source, one line per row: number, then cells separated by " | ",
// a numeric cell marked with a leading #.
func dump(src Source) (string, error) {
	var b strings.Builder
	for {
		r, err := src.Next()
		if errors.Is(err, io.EOF) {
			return b.String(), nil
		}
		if err != nil {
			return b.String(), err
		}
		fmt.Fprintf(&b, "%d:", r.Number)
		for _, c := range r.Cells {
			v := strings.ReplaceAll(c.Value, "\n", `\n`)
			if c.Numeric {
				v = "#" + v
			}
			fmt.Fprintf(&b, " %s |", v)
		}
		b.WriteString("\n")
	}
}
