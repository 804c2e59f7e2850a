// Package casework is the pure domain of case management (DESIGN §2 steps 2–6, §5; issue 6): who
// may move a case from one state to another and what they must record when they do, the deadline
// of every open state, the placement recommendation, the follow-up checkpoint schedule, the legal
// ladder, document numbers (文号), escalation of overdue cases and what counts against 动态清零.
//
// It holds no state and does no I/O. The state graph itself is the root package's
// (baoxue.CanTransition); this package adds, for every edge of that graph, the actors allowed to
// take it and the fields they must supply (Rules), and a test checks that the two tables have
// exactly the same edges.
//
// # Who does what
//
// Actors are derived from the user's role and scope (ActorOf): the county office (officer with a
// county scope), township and village officials (officer with a township or village scope), the
// responsible cadre (包抓干部), and the school. Province and prefecture officers supervise and
// take no transition; viewers, inspectors and the three powers take none either. The system
// actor is baoxue itself: creating cases from a comparison run, reopening a cleared child found
// again, and moving a case to `transferred` when the receiving county accepts it.
//
// # Placement rule (RecommendPlacement)
//
// The recommendation follows DESIGN §2 step 4, in this order; the first rule that applies wins:
//
//  1. Disability (from the disability registry): level 1 (most severe) intellectual, mental or
//     multiple disability, or level 1 physical disability → 送教上门 (home_teaching); any other
//     level 1–2 disability → 特殊教育学校 (special_school); level 3–4 intellectual, mental or
//     multiple disability → 特殊班 (special_class); a level 3–4 visual, hearing, speech or
//     physical disability → 随班就读 (regular_class, with support).
//  2. Older and long absent: aged 15 or more at return, out of school 12 months or more, and two
//     or more grades behind → 普职融合/职业学校 (vocational).
//  3. Far behind: two or more grades behind the grade for the child's age, or out of school 6
//     months or more → 特殊班 (special_class: a transition class with catch-up teaching).
//  4. Otherwise → 随班就读/插班 (regular_class) with catch-up tutoring.
//
// The user may choose another placement; the transition then requires a reason (Rules: the
// placement_reason field is required exactly when the chosen placement differs from the
// recommendation).
//
// # Escalation
//
// A case past its due date by Settings.EscalateAfterDays days is escalated to the level above
// the unit that holds it (village → township → county → prefecture); every further
// EscalateAfterDays days it climbs one more level, up to the prefecture (EscalationLevel,
// EscalationRegion).
package casework
