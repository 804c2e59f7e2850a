package ingest

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/normalize"
	"github.com/baoxue/baoxue/internal/store"
)

// ExportDataset writes the stored rows of dataset ds to path (.csv or .xlsx) with their
// normalised values, decrypted, under the column names the import recognises — so the file can
// be imported again and gives the same records (`baoxue export`, issue 3 "generate → import →
// export → the same normalised values").
//
// Columns: 行号 (the row of the original file), then the kind's columns in DESIGN §7 order
// under their usual names, then 错误代码 (the ID number's problem code, when the stored ID is
// unusable); the importer ignores 行号 and 错误代码. Values are written the way the importer
// reads them back: dates as 2014-03-05, sex as 男/女, statuses and 是否送教上门 in Chinese, grades
// as 三年级. An unusable ID number is written as the file had it (the evidence kept for repair).
// Schools and villages, which later datasets replace by code, are the ones this dataset still
// supplies.
//
// ID numbers and other personal fields are written in full: the caller holds the data key. The
// file is written 0600 through a temporary name. beforeCommit, when set, is called with the row
// count once every row is written and before the file appears; its error abandons the file (the
// command line writes its audit record there, so there is no export without one).
func ExportDataset(ctx context.Context, db *store.DB, ds *baoxue.Dataset, path string, beforeCommit func(rows int) error) (int, error) {
	schema, ok := SchemaOf(ds.Kind)
	if !ok {
		return 0, fmt.Errorf("数据集 %d 的类型“%s”无法导出: %w", ds.ID, ds.Kind, baoxue.ErrInvalid)
	}
	places := ds.Kind == baoxue.KindSchools || ds.Kind == baoxue.KindVillages
	var header []string
	if !places {
		header = append(header, ReportColRow)
	}
	for _, c := range schema.Columns {
		header = append(header, c.Label)
	}
	if !places {
		header = append(header, ReportColCode)
	}
	w, err := NewTableWriter(path, schema.Label, header)
	if err != nil {
		return 0, err
	}
	n := 0
	cells := make([]string, len(header))
	emit := func(sourceRow int, value func(Field) string, idError string) error {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		i := 0
		if !places {
			cells[0], i = strconv.Itoa(sourceRow), 1
		}
		for _, c := range schema.Columns {
			cells[i] = value(c.Field)
			i++
		}
		if !places {
			cells[i] = idError
		}
		n++
		return w.Write(cells)
	}
	switch ds.Kind {
	case baoxue.KindRegistry:
		err = db.Persons(ctx, ds.ID, func(p *baoxue.Person) error {
			return emit(p.SourceRow, func(f Field) string { return personValue(p, f) }, p.IDError)
		})
	case baoxue.KindEnrollment, baoxue.KindNational:
		err = db.Enrollments(ctx, ds.ID, func(e *baoxue.Enrollment) error {
			return emit(e.SourceRow, func(f Field) string { return enrollmentValue(e, f) }, e.IDError)
		})
	case baoxue.KindPoverty:
		err = db.Poverty(ctx, ds.ID, func(r *baoxue.PovertyRecord) error {
			return emit(r.SourceRow, func(f Field) string { return povertyValue(r, f) }, r.IDError)
		})
	case baoxue.KindDisability:
		err = db.Disability(ctx, ds.ID, func(r *baoxue.DisabilityRecord) error {
			return emit(r.SourceRow, func(f Field) string { return disabilityValue(r, f) }, r.IDError)
		})
	case baoxue.KindSchools:
		var list []baoxue.School
		if list, err = db.DatasetSchools(ctx, ds.ID); err == nil {
			for i := range list {
				s := &list[i]
				if err = emit(0, func(f Field) string { return schoolValue(s, f) }, ""); err != nil {
					break
				}
			}
		}
	case baoxue.KindVillages:
		var list []baoxue.Village
		if list, err = db.DatasetVillages(ctx, ds.ID); err == nil {
			for i := range list {
				v := &list[i]
				if err = emit(0, func(f Field) string { return villageValue(v, f) }, ""); err != nil {
					break
				}
			}
		}
	}
	if err == nil && beforeCommit != nil {
		err = beforeCommit(n)
	}
	if err != nil {
		w.Abort()
		if errors.Is(err, context.Canceled) {
			return 0, fmt.Errorf("导出已取消: %w", err)
		}
		return 0, err
	}
	return n, w.Commit()
}

func personValue(p *baoxue.Person, f Field) string {
	switch f {
	case FieldName:
		return p.Name
	case FieldIDNumber:
		return idOrRaw(p.IDNumber, p.IDRaw)
	case FieldSex:
		return sexLabel(p.Sex)
	case FieldBirthDate:
		return dateText(p.BirthDate)
	case FieldEthnicity:
		return p.Ethnicity
	case FieldHouseholdNo:
		return p.HouseholdNo
	case FieldRelation:
		return p.Relation
	case FieldAddress:
		return p.Address
	case FieldRegionCode:
		return p.RegionCode
	case FieldStatus:
		return StatusLabel(p.Status)
	case FieldGuardianName:
		return p.GuardianName
	case FieldGuardianID:
		return p.GuardianID
	case FieldPhone:
		return p.Phone
	}
	return ""
}

func enrollmentValue(e *baoxue.Enrollment, f Field) string {
	switch f {
	case FieldStudentNo:
		return e.StudentNo
	case FieldName:
		return e.Name
	case FieldIDNumber:
		return idOrRaw(e.IDNumber, e.IDRaw)
	case FieldSex:
		return sexLabel(e.Sex)
	case FieldBirthDate:
		return dateText(e.BirthDate)
	case FieldSchoolCode:
		return e.SchoolCode
	case FieldSchoolName:
		return e.SchoolName
	case FieldGrade:
		return normalize.GradeLabel(e.Grade)
	case FieldStatus:
		return StatusLabel(e.Status)
	case FieldHomeTaught:
		return yesNo(e.HomeTaught)
	}
	return ""
}

func povertyValue(r *baoxue.PovertyRecord, f Field) string {
	switch f {
	case FieldHouseholdNo:
		return r.HouseholdNo
	case FieldName:
		return r.Name
	case FieldIDNumber:
		return idOrRaw(r.IDNumber, r.IDRaw)
	case FieldRelation:
		return r.Relation
	case FieldPovertyType:
		return r.Type
	case FieldRegionCode:
		return r.RegionCode
	}
	return ""
}

func disabilityValue(r *baoxue.DisabilityRecord, f Field) string {
	switch f {
	case FieldName:
		return r.Name
	case FieldIDNumber:
		return idOrRaw(r.IDNumber, r.IDRaw)
	case FieldCertNo:
		return r.CertNo
	case FieldDisabilityCategory:
		return r.Category
	case FieldDisabilityLevel:
		if r.Level >= 1 && r.Level <= 4 {
			return []string{"一级", "二级", "三级", "四级"}[r.Level-1]
		}
	}
	return ""
}

func schoolValue(s *baoxue.School, f Field) string {
	switch f {
	case FieldSchoolCode:
		return s.Code
	case FieldName:
		return s.Name
	case FieldRegionCode:
		return s.RegionCode
	case FieldSchoolKind:
		return s.Kind
	case FieldBoarding:
		return yesNo(s.Boarding)
	}
	return ""
}

func villageValue(v *baoxue.Village, f Field) string {
	switch f {
	case FieldRegionCode:
		return v.Code
	case FieldName:
		return v.Name
	}
	return ""
}

func idOrRaw(id, raw string) string {
	if id != "" {
		return id
	}
	return raw
}

func sexLabel(s baoxue.Sex) string {
	switch s {
	case baoxue.Male:
		return "男"
	case baoxue.Female:
		return "女"
	}
	return ""
}

func dateText(d baoxue.Date) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}
