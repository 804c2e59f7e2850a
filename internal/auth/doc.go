// Package auth is who may do what in baoxue (DESIGN §9): passwords (argon2id), the password
// policy, TOTP second factors, sign-in lockout, sessions and API tokens, roles, permissions and
// scopes. It is pure: where state must be kept (users, sessions) it names an interface that the
// storage package implements, and the clock is an interface so tests never sleep.
//
// # Who may do what
//
// Every user has one Role and one Scope. The role, and for officers the level of the scope, give
// the permissions below; the scope then limits the rows: the store filters every query by it
// (Scope.SQLPrefix, or school_code for a school scope), and an object outside it answers 404.
// Columns: off-P, off-C, off-T are officers scoped to a province or prefecture, a county, and a
// township or village; insp is inspector, super is supervisor (社会监督员); sys, sec and audit
// are the three powers sysadmin, secadmin and auditor.
//
//	| permission             | off-P | off-C | off-T | cadre | school | insp | viewer | super | sys | sec | audit |
//	| view_dashboard         | x     | x     | x     | x     | x      | x    | x      |       |     |     |       |
//	| view_ledger            | x     | x     | x     | x     | x      | x    | x      |       |     |     |       |
//	| export_ledger          | x     | x     | x     |       |        | x    |        |       |     |     |       |
//	| view_reports           | x     | x     | x     |       |        | x    | x      |       |     |     |       |
//	| import_data            | x     | x     |       |       |        |      |        |       |     |     |       |
//	| run_compare            | x     | x     |       |       |        |      |        |       |     |     |       |
//	| decide_review          |       | x     |       |       |        |      |        |       |     |     |       |
//	| manage_cases           |       | x     | x     |       |        |      |        |       |     |     |       |
//	| verify_suspect         |       | x     | x     | x     | x      |      |        |       |     |     |       |
//	| record_visit           |       | x     | x     | x     | x      |      |        |       |     |     |       |
//	| manage_screening       |       | x     | x     |       |        |      |        |       |     |     |       |
//	| record_screening       |       |       | x     | x     |        |      |        |       |     |     |       |
//	| manage_placement       |       | x     |       |       | x      |      |        |       |     |     |       |
//	| manage_inspections     | x     |       |       |       |        | x    |        |       |     |     |       |
//	| handle_tips            |       | x     | x     |       |        |      |        |       |     |     |       |
//	| submit_tip             |       |       |       |       |        |      |        | x     |     |     |       |
//	| unmask_pii             |       | x     | x     | x     | x      | x    |        |       |     |     |       |
//	| manage_users           |       |       |       |       |        |      |        |       | x   |     |       |
//	| manage_settings        |       |       |       |       |        |      |        |       | x   |     |       |
//	| manage_security_policy |       |       |       |       |        |      |        |       |     | x   |       |
//	| approve_unmask         |       |       |       |       |        |      |        |       |     | x   |       |
//	| view_audit             |       |       |       |       |        |      |        |       |     |     | x     |
//
// What the permissions mean: view_dashboard the dashboard and drill-down; view_ledger ledgers
// and the child page, masked; export_ledger .xlsx exports (masked unless the exporter may unmask);
// view_reports the monthly report, scorecards and overdue lists; import_data uploads and the
// dataset list; run_compare starting comparison runs; decide_review linking or separating a
// `review` entry; manage_cases opening case files, assigning the responsible cadre, moving cases
// through their states and the legal ladder; verify_suspect recording a verification outcome;
// record_visit logging persuasion visits and calls; manage_screening organising a door-to-door
// screening campaign, record_screening entering its household results; manage_placement return,
// placement, individual plans and follow-up checkpoints; manage_inspections sampling and
// re-verifying closed cases; handle_tips working on public tips, submit_tip filing one;
// unmask_pii seeing a full ID number, phone or address, with a stated reason, audited;
// manage_users accounts; manage_settings system settings; manage_security_policy password,
// session and TOTP policy; approve_unmask approving unmask requests from roles without
// unmask_pii; view_audit the audit log.
//
// Officers differ by level because the work does (DESIGN §1): province and prefecture offices
// supervise, inspect and may run a province-wide comparison but do not decide single children and
// see no unmasked data; the county office runs the work; township and village officials verify,
// visit and screen. Cadres see only the cases assigned to them and their village's screening, a
// restriction the store applies on top of the scope.
//
// The three powers (三权分立) are disjoint: sysadmin manages accounts and settings and sees no
// business data and no audit log; secadmin sets security policy and approves unmasking; auditor
// reads the audit log and nothing else. No role holds permissions of two powers, and no business
// role holds any (TestThreePowersDisjoint).
//
// # Second factor and sign-in
//
// RequiresTOTP is true for the three powers and for any scope above county. CheckPassword and
// CheckTOTP answer an unknown name, a wrong password and a disabled account alike, lock a name for
// 15 minutes after 5 failures in a row (known and unknown names alike), and spend the same argon2
// work on an unknown name as on a wrong password.
package auth
