// Package server is baoxue's HTTP face: the web pages officials use and the JSON API. Routes are
// declared in routes.go; templates and static files are embedded so the binary serves everything
// itself, with no CDN and no call out (county intranets have no internet).
//
// # Personal information of minors
//
// One masking policy holds for every page, list, export and API answer (DESIGN §9, PIPL Art. 28);
// masking.go implements it and the PII scan test (business_test.go) checks it for every role.
//
//   - Masked by default, for every role, including county officers: ID numbers, student and
//     certificate numbers (620***********1234), names of children and guardians (张*), phone
//     numbers (138****5678), birth dates (the year only: with the county and the masked ID's last
//     four characters a full date would give the ID back), and free text that may hold personal
//     details — addresses, visit places and notes, the names documents were served to — which
//     shows as "（已脱敏）". This covers the ledger list and the child page, the ledger export,
//     the case list and case pages, 我的任务, transfers, the dropout-ledger export (辍学学生台账)
//     and the JSON API, which never unmasks.
//   - Unmask with a reason: a user who holds unmask_pii states a reason (at least four
//     characters) on the child page, on the case page, or with an export (the ledger export, the
//     dropout ledger by name); the audit record (unmask, export or case_export, with the reason)
//     is written before anything is shown, or nothing is shown. An unmasked page is shown once:
//     the next request is masked again. Legal documents, which must name the child and the
//     guardian, are printed only by unmask_pii holders, and every printing is audited.
//   - Assigned case workers: the verifier and the 包抓 cadre of a case (its verifier and cadre
//     fields name them) must find and visit the family, so on that case's page and visit form
//     they see, without a reason, what a visit needs: the child's and guardian's names, the
//     guardian's phone, the address and the visit log. Each such view writes a view_assigned
//     audit record first. ID numbers and the birth date stay masked for them too (unmask with a
//     reason as anyone else), and lists, including their own 我的任务, stay masked.
//   - Error reports of imports hold the rows as the official typed them, full IDs included: they
//     download only for the uploader and users whose scope covers the uploader's, each download
//     is audited, and the files are deleted after a retention period (imports.go).
//
// Logs never carry personal data: the request log has the method, the route pattern, the status,
// the duration and the request id.
package server
