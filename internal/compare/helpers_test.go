package compare

import (
	"context"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/idcard"
)

// asOf is the as-of date of the hand-built tests: the window is 2010-09-01 … 2020-08-31.
const asOf = baoxue.Date(20260901)

// makeID returns a valid ID for a birth date (yyyymmdd) and a sequence number; odd is male.
func makeID(t testing.TB, birth string, seq int) string {
	t.Helper()
	s := "622921" + birth + string(rune('0'+seq/100%10)) + string(rune('0'+seq/10%10)) + string(rune('0'+seq%10))
	if len(s) != 17 {
		t.Fatalf("bad ID parts %q", s)
	}
	return s + string(idcard.CheckDigit([]byte(s)))
}

// typo substitutes the character at i (0-based).
func typo(id string, i int) string {
	b := []byte(id)
	if b[i] == '9' {
		b[i] = '0'
	} else {
		b[i]++
	}
	return string(b)
}

func date(s string) baoxue.Date {
	d, err := baoxue.ParseISODate(s[:4] + "-" + s[4:6] + "-" + s[6:])
	if err != nil {
		panic(err)
	}
	return d
}

func person(row int, id, name, birth string, sex baoxue.Sex) baoxue.Person {
	return baoxue.Person{SourceRow: row, IDNumber: id, IDRaw: id, Name: name, Sex: sex, BirthDate: date(birth),
		RegionCode: "622921100201", Status: baoxue.RegistryNormal, StatusRaw: "正常", GuardianName: "马福"}
}

func student(row int, id, name, birth string, sex baoxue.Sex, status string, grade int) baoxue.Enrollment {
	sno := "G" + id
	if id == "" {
		sno = "L" + birth + "000001"
	}
	return baoxue.Enrollment{SourceRow: row, StudentNo: sno, IDNumber: id, IDRaw: id, Name: name, Sex: sex,
		BirthDate: date(birth), SchoolCode: "2622921001", SchoolName: "临夏县第一小学", Grade: grade, Status: status}
}

func sliceStream[T any](recs []T) Stream[T] {
	return func(ctx context.Context, fn func(*T) error) error {
		for i := range recs {
			if err := fn(&recs[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// runSlices runs a comparison over in-memory records and returns the ledger.
func runSlices(t testing.TB, reg []baoxue.Person, enr, nat []baoxue.Enrollment, pov []baoxue.PovertyRecord,
	dis []baoxue.DisabilityRecord, opts Options) ([]baoxue.LedgerEntry, *Summary) {
	t.Helper()
	in := Inputs{Registry: sliceStream(reg), Enrollment: sliceStream(enr)}
	if nat != nil {
		in.National = sliceStream(nat)
	}
	if pov != nil {
		in.Poverty = sliceStream(pov)
	}
	if dis != nil {
		in.Disability = sliceStream(dis)
	}
	if opts.AsOf == 0 {
		opts.AsOf = asOf
	}
	var out []baoxue.LedgerEntry
	sum, err := Run(context.Background(), in, opts, func(e *baoxue.LedgerEntry) error {
		out = append(out, *e)
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out, sum
}

func contains(s, sub string) bool { return sub == "" || strings.Contains(s, sub) }
