// Package compare runs the comparison (联合比对, DESIGN §2 step 1, §6): it streams the household
// registry (户籍) once, keeps only the children of compulsory-education age, links each of them to
// the student registries (学籍, local and national) through internal/match, flags poverty and
// disability, and gives every school-age child exactly one ledger status with a reason a county
// official can read. The ledger comes out in registry row order and is byte-for-byte the same for
// the same inputs.
//
// What belongs here: the run (which child is counted, in what order the stages run, what each
// outcome means as a status), flags, the summary, and the comparison of a run with the previous
// one. What does not: reading spreadsheets (internal/ingest), linkage scores (internal/match),
// writing ledger files (internal/ledger), storage (internal/store).
//
// # Inputs
//
// Each input is a Stream: a function that calls back once per record, in file order. The command
// line builds streams from files (through internal/ingest) or from a stored dataset (store.Persons
// and friends); tests build them from slices. The registry is read once and never held whole:
// only the children inside baoxue.AgeRule.Window(asOf) are kept, about 13 % of the rows, together
// with the enrollment side that matching needs. The inputs are read concurrently (学籍, registry,
// poverty and disability); matching starts as soon as the 学籍 side is indexed and follows the
// registry reader; the ledger is emitted at the end, in registry order, because a fuzzy link is
// only decided once every child has been seen (match.Matcher.Resolve).
//
// # Statuses
//
// In this order, the first rule that applies decides (DESIGN §6, issue 4 item 6):
//
//	registry 迁出                 not in the ledger: the child is no longer this county's; counted as moved_out
//	registry ID unusable          invalid_id (never dropped); the detail still says what matching found
//	registry 死亡 / 出国(境)       exempt (the detail warns when an active 学籍 exists all the same)
//	no 学籍 found                 suspected ("未找到学籍"); registry 注销 or another status: review instead
//	a possible match only         review (a person decides; the proposed record is named)
//	学籍 在读, 送教上门 = 是        home_taught
//	学籍 在读 (national file)      enrolled_elsewhere
//	学籍 在读                      enrolled
//	学籍 休学                      enrolled, with the warning "学籍状态为休学" in the detail
//	学籍 毕业, grade 9 or unknown  completed; graduated from a lower grade: suspected (no next school)
//	学籍 辍学                      suspected, detail "学籍状态为辍学"
//	学籍 转出 and nothing else     suspected, detail "学籍已转出，未找到转入学籍"
//
// Rows with the same 学籍号 are one pupil (the national student number follows a pupil for life):
// an old 转出 row and the active row at the new school are merged before matching, so that they
// do not compete for the child, and the merged pupil has the status of the row that settles the
// schooling most (在读 before 休学, 毕业, 辍学, 转出). When rows with different 学籍号 carry the
// child's ID, rows whose name could be the child's come first, then the same order of statuses,
// then the closest name; a sibling's row carrying the child's ID by mistake never wins.
//
// A child without an ID the registry can vouch for is invalid_id whatever matching finds; the
// match is still made (ID variants of the mistyped ID, or name and birth date) and named in the
// detail, so that the official repairing the row sees where the child is. Possible matches of
// exempt children are not shown (nobody needs to review them).
//
// # Flags
//
// poverty: the child's own ID is in the poverty registry, or the child's guardian's is (the
// registry lists households); poverty_type is the type of that row (the child's own row first,
// then a mistyped own row, then the guardian's; the first in file order among equals). disability: the child's ID (or
// the ID part of the 残疾人证号) is in the disability registry; the value is category and level,
// e.g. "智力残疾二级". A mistyped ID in either registry still counts when it is one typo away from
// the child's and the names agree. priority_groups lists "poor" and "disabled"; the other groups
// of DESIGN §5 (orphans, left-behind children, …) need inputs the comparison does not have yet.
//
// # Exact-only mode
//
// Options.ExactOnly links by identical ID numbers only (no ID variants, no fuzzy stage): every
// child without an identical ID in a 学籍 file is suspected. It exists to measure the cost of the
// full pipeline against a plain anti-join and for a first quick look at a county's data.
package compare
