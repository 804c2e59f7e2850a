package ingest

import (
	"context"
	"fmt"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/store"
)

// CodeDuplicateDataset is the warning for a row whose ID number is also in a dataset of the same
// kind imported earlier (see Import: duplicates across datasets).
const CodeDuplicateDataset = "DUPLICATE_ID_DATASET"

// earlierDatasets returns the stored datasets of a kind by id; none means nothing to check.
func earlierDatasets(ctx context.Context, db *store.DB, kind baoxue.DatasetKind) (map[int64]baoxue.Dataset, error) {
	if kind == baoxue.KindSchools || kind == baoxue.KindVillages {
		return nil, nil
	}
	all, err := db.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]baoxue.Dataset{}
	for _, ds := range all {
		if ds.Kind == kind {
			out[ds.ID] = ds
		}
	}
	return out, nil
}

// crossCheck holds converted rows back in small batches until the IDs of the batch have been
// looked up among the earlier datasets of the kind (one indexed query per few hundred IDs,
// through the blind index), then releases them in file order with their warnings added.
type crossCheck struct {
	lookup *store.IDLookup
	kind   baoxue.DatasetKind
	files  map[int64]baoxue.Dataset

	pending []pendingRow
	ids     []string
}

type pendingRow struct {
	row      Row
	problems []rowProblem
	rec      record
	id       string // the stored record's valid ID number, "" when none
	status   string // its normalised status (registry, 学籍)
	idCol    int
}

// Batch sizes: enough IDs for a few full lookup queries, and a bound on the rows held (most
// registry rows, adults, have no record to look up).
const (
	crossCheckIDs  = 1024
	crossCheckRows = 8192
)

// add holds a converted row; the converter's problems are copied.
func (x *crossCheck) add(row Row, cv *converter, rec record) {
	p := pendingRow{row: row.clone(), rec: rec.clone(), id: cv.keyID, status: cv.keyStatus, idCol: cv.colOf(FieldIDNumber)}
	if len(cv.problems) > 0 {
		p.problems = append([]rowProblem(nil), cv.problems...)
	}
	if p.id != "" {
		x.ids = append(x.ids, p.id)
	}
	x.pending = append(x.pending, p)
}

func (x *crossCheck) full() bool {
	return len(x.ids) >= crossCheckIDs || len(x.pending) >= crossCheckRows
}

// flush looks up the held IDs and passes every held row to emit, in order.
func (x *crossCheck) flush(ctx context.Context, emit func(Row, []rowProblem, record) error) error {
	hits, err := x.lookup.Find(ctx, x.ids)
	if err != nil {
		return fmt.Errorf("查找较早数据集中的相同身份证号：%w", err)
	}
	for i := range x.pending {
		p := &x.pending[i]
		if hit, ok := hits[p.id]; ok && p.id != "" {
			changed := hit.Status != "" && p.status != "" && hit.Status != p.status
			p.problems = append(p.problems, rowProblem{col: p.idCol, field: FieldIDNumber, code: CodeDuplicateDataset,
				warning: true, msg: x.message(hit, p.status), quiet: !changed})
		}
		if err := emit(p.row, p.problems, p.rec); err != nil {
			return err
		}
	}
	clear(x.pending)
	x.pending, x.ids = x.pending[:0], x.ids[:0]
	return nil
}

func (x *crossCheck) message(hit store.IDSighting, status string) string {
	ds := x.files[hit.DatasetID]
	msg := fmt.Sprintf("该身份证号也在较早导入的数据集 %d（%s 第 %d 行）中；比对以最新导入的%s数据为准", hit.DatasetID, ds.FileName, hit.SourceRow, kindLabel(x.kind))
	if hit.Status != "" && status != "" && hit.Status != status {
		msg += fmt.Sprintf("；状态由“%s”变为“%s”，请核实", StatusLabel(hit.Status), StatusLabel(status))
	}
	return msg
}

func kindLabel(kind baoxue.DatasetKind) string {
	if s, ok := SchemaOf(kind); ok {
		return s.Label
	}
	return string(kind)
}

// StatusLabel is the Chinese word for a normalised 人员状态 (baoxue.Registry*) or 学籍状态
// (baoxue.Enroll*), "" for an unknown value.
func StatusLabel(status string) string {
	switch status {
	case baoxue.RegistryNormal:
		return "正常"
	case baoxue.RegistryDeceased:
		return "死亡"
	case baoxue.RegistryEmigrated:
		return "出国(境)"
	case baoxue.RegistryMovedOut:
		return "迁出"
	case baoxue.RegistryCancelled:
		return "注销"
	case baoxue.RegistryOtherState:
		return "其他"
	case baoxue.EnrollActive:
		return "在读"
	case baoxue.EnrollSuspended:
		return "休学"
	case baoxue.EnrollTransferred:
		return "转出"
	case baoxue.EnrollGraduated:
		return "毕业"
	case baoxue.EnrollDropped:
		return "辍学"
	}
	return ""
}
