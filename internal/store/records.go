package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/baoxue/baoxue"
)

// Column lists, row builders and scanners for the record tables. The order of values in each
// row builder matches its column list; pii_enc fields are listed beside each table.

var personCols = []string{"dataset_id", "source_row", "id_enc", "id_bidx", "id_error", "name", "sex",
	"birth_date", "ethnicity", "household_no", "relation", "region_code", "status", "status_raw", "pii_enc"}

func (s sealer) personRow(ds int64, p *baoxue.Person) ([]any, error) {
	enc, bidx, err := s.id(p.IDNumber)
	if err != nil {
		return nil, err
	}
	// pii_enc: id_raw, address, guardian_name, guardian_id, phone
	blob, err := s.fields(p.IDRaw, p.Address, p.GuardianName, p.GuardianID, p.Phone)
	if err != nil {
		return nil, err
	}
	return []any{ds, int64(p.SourceRow), enc, bidx, p.IDError, p.Name, string(p.Sex), int64(p.BirthDate),
		p.Ethnicity, p.HouseholdNo, p.Relation, p.RegionCode, p.Status, p.StatusRaw, blob}, nil
}

const personSelect = `SELECT source_row, id_enc, id_error, name, sex, birth_date, ethnicity, household_no,
	relation, region_code, status, status_raw, pii_enc FROM persons`

func (s sealer) scanPerson(rows *sql.Rows, p *baoxue.Person) error {
	var idEnc, blob []byte
	var sex string
	var birth int64
	*p = baoxue.Person{}
	if err := rows.Scan(&p.SourceRow, &idEnc, &p.IDError, &p.Name, &sex, &birth, &p.Ethnicity, &p.HouseholdNo,
		&p.Relation, &p.RegionCode, &p.Status, &p.StatusRaw, &blob); err != nil {
		return err
	}
	p.Sex, p.BirthDate = baoxue.Sex(sex), baoxue.Date(birth)
	var err error
	if p.IDNumber, err = s.openID(idEnc); err != nil {
		return err
	}
	return s.openFields(blob, &p.IDRaw, &p.Address, &p.GuardianName, &p.GuardianID, &p.Phone)
}

var enrollmentCols = []string{"dataset_id", "source_row", "id_enc", "id_bidx", "id_error", "name", "sex",
	"birth_date", "school_code", "school_name", "grade", "status", "status_raw", "home_taught", "national", "pii_enc"}

func (s sealer) enrollmentRow(ds int64, e *baoxue.Enrollment) ([]any, error) {
	enc, bidx, err := s.id(e.IDNumber)
	if err != nil {
		return nil, err
	}
	// pii_enc: student_no, id_raw
	blob, err := s.fields(e.StudentNo, e.IDRaw)
	if err != nil {
		return nil, err
	}
	return []any{ds, int64(e.SourceRow), enc, bidx, e.IDError, e.Name, string(e.Sex), int64(e.BirthDate),
		e.SchoolCode, e.SchoolName, int64(e.Grade), e.Status, e.StatusRaw, e.HomeTaught, e.National, blob}, nil
}

const enrollmentSelect = `SELECT source_row, id_enc, id_error, name, sex, birth_date, school_code, school_name,
	grade, status, status_raw, home_taught, national, pii_enc FROM enrollments`

func (s sealer) scanEnrollment(rows *sql.Rows, e *baoxue.Enrollment) error {
	var idEnc, blob []byte
	var sex string
	var birth int64
	*e = baoxue.Enrollment{}
	if err := rows.Scan(&e.SourceRow, &idEnc, &e.IDError, &e.Name, &sex, &birth, &e.SchoolCode, &e.SchoolName,
		&e.Grade, &e.Status, &e.StatusRaw, &e.HomeTaught, &e.National, &blob); err != nil {
		return err
	}
	e.Sex, e.BirthDate = baoxue.Sex(sex), baoxue.Date(birth)
	var err error
	if e.IDNumber, err = s.openID(idEnc); err != nil {
		return err
	}
	return s.openFields(blob, &e.StudentNo, &e.IDRaw)
}

var povertyCols = []string{"dataset_id", "source_row", "id_enc", "id_bidx", "id_error", "household_no", "name",
	"relation", "type", "region_code", "pii_enc"}

func (s sealer) povertyRow(ds int64, r *baoxue.PovertyRecord) ([]any, error) {
	enc, bidx, err := s.id(r.IDNumber)
	if err != nil {
		return nil, err
	}
	blob, err := s.fields(r.IDRaw) // pii_enc: id_raw
	if err != nil {
		return nil, err
	}
	return []any{ds, int64(r.SourceRow), enc, bidx, r.IDError, r.HouseholdNo, r.Name, r.Relation, r.Type,
		r.RegionCode, blob}, nil
}

const povertySelect = `SELECT source_row, id_enc, id_error, household_no, name, relation, type, region_code,
	pii_enc FROM poverty_records`

func (s sealer) scanPoverty(rows *sql.Rows, r *baoxue.PovertyRecord) error {
	var idEnc, blob []byte
	*r = baoxue.PovertyRecord{}
	if err := rows.Scan(&r.SourceRow, &idEnc, &r.IDError, &r.HouseholdNo, &r.Name, &r.Relation, &r.Type,
		&r.RegionCode, &blob); err != nil {
		return err
	}
	var err error
	if r.IDNumber, err = s.openID(idEnc); err != nil {
		return err
	}
	return s.openFields(blob, &r.IDRaw)
}

var disabilityCols = []string{"dataset_id", "source_row", "id_enc", "id_bidx", "id_error", "name", "category",
	"level", "pii_enc"}

func (s sealer) disabilityRow(ds int64, r *baoxue.DisabilityRecord) ([]any, error) {
	enc, bidx, err := s.id(r.IDNumber)
	if err != nil {
		return nil, err
	}
	blob, err := s.fields(r.IDRaw, r.CertNo) // pii_enc: id_raw, cert_no
	if err != nil {
		return nil, err
	}
	return []any{ds, int64(r.SourceRow), enc, bidx, r.IDError, r.Name, r.Category, int64(r.Level), blob}, nil
}

const disabilitySelect = `SELECT source_row, id_enc, id_error, name, category, level, pii_enc FROM disability_records`

func (s sealer) scanDisability(rows *sql.Rows, r *baoxue.DisabilityRecord) error {
	var idEnc, blob []byte
	*r = baoxue.DisabilityRecord{}
	if err := rows.Scan(&r.SourceRow, &idEnc, &r.IDError, &r.Name, &r.Category, &r.Level, &blob); err != nil {
		return err
	}
	var err error
	if r.IDNumber, err = s.openID(idEnc); err != nil {
		return err
	}
	return s.openFields(blob, &r.IDRaw, &r.CertNo)
}

// stream runs query on the read pool and calls scan then fn for every row, stopping at the first
// error. Rows are decrypted one at a time: the caller never holds a whole table.
func stream[T any](ctx context.Context, db *DB, op, query string, args []any,
	scan func(*sql.Rows, *T) error, fn func(*T) error) error {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return translate(op, err)
	}
	defer rows.Close()
	var rec T
	for rows.Next() {
		if err := scan(rows, &rec); err != nil {
			return translate(op, err)
		}
		if err := fn(&rec); err != nil {
			return err
		}
	}
	return translate(op, rows.Err())
}

// Persons calls fn for every registry row of the dataset, in file order, with ID numbers and
// personal fields decrypted. fn must not keep the pointer.
func (db *DB) Persons(ctx context.Context, datasetID int64, fn func(*baoxue.Person) error) error {
	s := db.sealers.persons
	return stream(ctx, db, "read persons", personSelect+` WHERE dataset_id = $1 ORDER BY id`,
		[]any{datasetID}, s.scanPerson, fn)
}

// Enrollments calls fn for every 学籍 row of the dataset, in file order.
func (db *DB) Enrollments(ctx context.Context, datasetID int64, fn func(*baoxue.Enrollment) error) error {
	s := db.sealers.enrollments
	return stream(ctx, db, "read enrollments", enrollmentSelect+` WHERE dataset_id = $1 ORDER BY id`,
		[]any{datasetID}, s.scanEnrollment, fn)
}

// Poverty calls fn for every poverty-registry row of the dataset, in file order.
func (db *DB) Poverty(ctx context.Context, datasetID int64, fn func(*baoxue.PovertyRecord) error) error {
	s := db.sealers.poverty
	return stream(ctx, db, "read poverty records", povertySelect+` WHERE dataset_id = $1 ORDER BY id`,
		[]any{datasetID}, s.scanPoverty, fn)
}

// Disability calls fn for every disability-registry row of the dataset, in file order.
func (db *DB) Disability(ctx context.Context, datasetID int64, fn func(*baoxue.DisabilityRecord) error) error {
	s := db.sealers.disability
	return stream(ctx, db, "read disability records", disabilitySelect+` WHERE dataset_id = $1 ORDER BY id`,
		[]any{datasetID}, s.scanDisability, fn)
}

// FindPersonByID returns every registry row, in any dataset, whose ID number is idNumber (looked
// up through the blind index). No match is an error wrapping baoxue.ErrNotFound.
func (db *DB) FindPersonByID(ctx context.Context, idNumber string) ([]baoxue.Person, error) {
	if idNumber == "" {
		return nil, fmt.Errorf("find person: empty ID: %w", baoxue.ErrInvalid)
	}
	s := db.sealers.persons
	var out []baoxue.Person
	err := stream(ctx, db, "find person", personSelect+` WHERE id_bidx = $1 ORDER BY id`,
		[]any{db.keys.BlindIndex(idNumber)}, s.scanPerson, func(p *baoxue.Person) error {
			if p.IDNumber == idNumber { // a truncated blind index may, very rarely, collide
				out = append(out, *p)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("find person: %w", baoxue.ErrNotFound)
	}
	return out, nil
}
