// Package notice writes the documents of the legal ladder (依法控辍, DESIGN §5): 劝返复学通知书,
// 责令限期改正通知书 (citing 《中华人民共和国义务教育法》 Art. 5, 11 and 58), 行政处罚决定书 and the
// list of materials for a lawsuit or an application for court enforcement. Each is built once
// as a Document (title, number, paragraphs) from the case data and then written as print-ready
// A4 HTML (Render.HTML) or as a PDF with an embedded, freely licensed Chinese font (Render.PDF),
// so the two always say the same thing.
//
// The texts are templates for a county to review with its legal adviser. The penalty decision
// states the legal basis the officer enters: Art. 58 of the compulsory-education law itself
// provides only criticism and an order to correct, so a penalty must rest on the province's
// implementing regulations or another law, which differ by province.
package notice

import (
	"fmt"
	"strings"

	"github.com/baoxue/baoxue"
)

// Kind is a document kind, named like the legal-ladder step it belongs to.
type Kind string

// The documents.
const (
	KindNotice     Kind = "notice"     // 劝返复学通知书
	KindOrder      Kind = "order"      // 责令限期改正通知书
	KindPenalty    Kind = "penalty"    // 行政处罚决定书
	KindLitigation Kind = "litigation" // 起诉（申请强制执行）材料清单
)

// Title is the document's title as printed.
func (k Kind) Title() string {
	switch k {
	case KindNotice:
		return "劝返复学通知书"
	case KindOrder:
		return "责令限期改正通知书"
	case KindPenalty:
		return "行政处罚决定书"
	case KindLitigation:
		return "起诉（申请强制执行）材料清单"
	}
	return ""
}

// Prior is an earlier document of the same case, which later ones cite.
type Prior struct {
	Kind     Kind
	Number   string
	Issued   baoxue.Date
	Served   baoxue.Date
	Deadline baoxue.Date
}

// Data is what a document says. Names are printed in full: documents are served on the family
// and kept in the case file; only users who may see personal data generate them.
type Data struct {
	Kind     Kind
	Number   string      // 文号
	Issuer   string      // issuing authority: 临夏县教育局, 韩集镇人民政府, a school
	Issued   baoxue.Date // date of the document
	Deadline baoxue.Date // the deadline the document sets

	ChildName   string
	ChildSex    baoxue.Sex
	ChildBirth  baoxue.Date
	Guardian    string // 监护人姓名
	Relation    string // relation to the child: 父亲, 母亲, 祖父 …; "" unknown
	Address     string // 户籍地址 or home address
	School      string // the school the child attended
	Grade       int
	DropoutDate baoxue.Date
	ReturnTo    string // the school the child must report to

	Visits     int         // persuasion visits logged
	FirstVisit baoxue.Date // first and last of them
	LastVisit  baoxue.Date
	Priors     []Prior

	// Penalty decision only.
	Basis       string // legal basis of the penalty (required for KindPenalty)
	Penalty     string // the penalty decided, e.g. 警告
	ReviewOrgan string // 行政复议机关
	Court       string // 人民法院 for an administrative lawsuit or enforcement
}

// Block kinds of a Document.
const (
	BlockTitle      = "title"
	BlockNumber     = "number"
	BlockSalutation = "salutation" // flush left, no indent
	BlockPara       = "para"       // first line indented two characters
	BlockItem       = "item"       // numbered list entry, hanging indent
	BlockSign       = "sign"       // right-aligned signature and date
)

// Block is one paragraph of a document.
type Block struct {
	Kind string
	Text string
}

// Document is a built document: what both renderings print, in order.
type Document struct {
	Kind   Kind
	Title  string
	Blocks []Block
}

// Text is the document as plain text, one block a line: what a PDF's extracted text must read.
func (d *Document) Text() string {
	var b strings.Builder
	for _, bl := range d.Blocks {
		b.WriteString(bl.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// The articles of 《中华人民共和国义务教育法》 (2006 revision, unchanged by the 2015 and 2018
// amendments) that the documents cite.
const (
	LawName    = "《中华人民共和国义务教育法》"
	Article5_2 = "适龄儿童、少年的父母或者其他法定监护人应当依法保证其按时入学接受并完成义务教育。"
	Article11  = "凡年满六周岁的儿童，其父母或者其他法定监护人应当送其入学接受并完成义务教育；条件不具备的地区的儿童，可以推迟到七周岁。"
	Article58  = "适龄儿童、少年的父母或者其他法定监护人无正当理由未依照本法规定送适龄儿童、少年入学接受义务教育的，由当地乡镇人民政府或者县级人民政府教育行政部门给予批评教育，责令限期改正。"
)

// ChineseDate formats a date the way official documents do: 2025年3月10日.
func ChineseDate(d baoxue.Date) string {
	if d.IsZero() {
		return "____年__月__日"
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year(), int(d.Month()), d.Day())
}

// blank is what a document prints for a value nobody recorded: a line to fill in by hand.
func blank(s string) string {
	if strings.TrimSpace(s) == "" {
		return "________"
	}
	return s
}

func (d *Data) child() string {
	var parts []string
	if s := d.ChildSex.Label(); s != "" {
		parts = append(parts, s)
	}
	if !d.ChildBirth.IsZero() {
		parts = append(parts, ChineseDate(d.ChildBirth)+"出生")
	}
	if len(parts) == 0 {
		return blank(d.ChildName)
	}
	return blank(d.ChildName) + "（" + strings.Join(parts, "，") + "）"
}

func (d *Data) schooling() string {
	s := blank(d.School)
	if d.Grade > 0 {
		s += gradeName(d.Grade)
	}
	return s
}

// gradeName is 一年级 … 六年级 for primary school and 初一 … 初三 for junior high.
func gradeName(g int) string {
	names := []string{"一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "初一年级", "初二年级", "初三年级"}
	if g < 1 || g > len(names) {
		return ""
	}
	return names[g-1]
}

func (d *Data) prior(k Kind) (Prior, bool) {
	for _, p := range d.Priors {
		if p.Kind == k {
			return p, true
		}
	}
	return Prior{}, false
}

func (d *Data) priorRef(k Kind) string {
	p, ok := d.prior(k)
	if !ok {
		return "《" + k.Title() + "》"
	}
	return "《" + k.Title() + "》（" + blank(p.Number) + "）"
}

func (d *Data) visits() string {
	if d.Visits == 0 {
		return "经劝返"
	}
	if d.FirstVisit.IsZero() || d.LastVisit.IsZero() || d.FirstVisit == d.LastVisit {
		return fmt.Sprintf("经上门劝返%d次", d.Visits)
	}
	return fmt.Sprintf("%s至%s期间经上门劝返%d次", ChineseDate(d.FirstVisit), ChineseDate(d.LastVisit), d.Visits)
}

// Build makes the document of d.Kind. A penalty decision without a legal basis or a penalty is
// refused (baoxue.ErrInvalid): those are decisions only the issuing authority can write.
func Build(d Data) (*Document, error) {
	doc := &Document{Kind: d.Kind, Title: d.Kind.Title()}
	if doc.Title == "" {
		return nil, fmt.Errorf("%w: 未知的文书种类“%.32s”", baoxue.ErrInvalid, d.Kind)
	}
	add := func(kind, format string, a ...any) {
		doc.Blocks = append(doc.Blocks, Block{kind, fmt.Sprintf(format, a...)})
	}
	add(BlockTitle, "%s", doc.Title)
	if d.Number != "" {
		add(BlockNumber, "%s", d.Number)
	}
	guardian := blank(d.Guardian)
	switch d.Kind {
	case KindNotice:
		add(BlockSalutation, "%s（%s的监护人）：", guardian, blank(d.ChildName))
		add(BlockPara, "经核查，你的子女%s，户籍地址%s，原在%s就读，自%s起未到校上学，属于失学辍学的适龄少年儿童。",
			d.child(), blank(d.Address), d.schooling(), ChineseDate(d.DropoutDate))
		add(BlockPara, "%s第五条第二款规定：“%s”第十一条第一款规定：“%s”", LawName, Article5_2, Article11)
		add(BlockPara, "现通知你于%s前送%s到%s报到复学。家庭如有困难，请及时与学校或者当地乡镇人民政府联系，我们将依法依规帮助解决。",
			ChineseDate(d.Deadline), blank(d.ChildName), blank(d.ReturnTo))
		add(BlockPara, "逾期无正当理由仍不送子女复学的，将依照%s第五十八条的规定，由当地乡镇人民政府或者县级人民政府教育行政部门给予批评教育，责令限期改正。", LawName)
	case KindOrder:
		add(BlockSalutation, "%s：", guardian)
		notice := ""
		if p, ok := d.prior(KindNotice); ok && !p.Served.IsZero() {
			notice = fmt.Sprintf("，并于%s向你送达了%s", ChineseDate(p.Served), d.priorRef(KindNotice))
		}
		add(BlockPara, "经查，你系适龄儿童少年%s的监护人。%s自%s起辍学，%s%s，你至今无正当理由未送其复学。",
			d.child(), blank(d.ChildName), ChineseDate(d.DropoutDate), d.visits(), notice)
		add(BlockPara, "你的上述行为违反了%s第五条第二款“%s”和第十一条第一款“%s”的规定。",
			LawName, strings.TrimSuffix(Article5_2, "。"), strings.TrimSuffix(Article11, "。"))
		add(BlockPara, "根据%s第五十八条“%s”的规定，现对你提出批评教育，并责令你于%s前送%s到%s复学，保证其按时接受并完成义务教育。",
			LawName, strings.TrimSuffix(Article58, "。"), ChineseDate(d.Deadline), blank(d.ChildName), blank(d.ReturnTo))
		add(BlockPara, "逾期仍不改正的，本机关将依法作出处理，并可依法申请人民法院强制执行或者提起诉讼，由此产生的法律后果由你承担。")
	case KindPenalty:
		if strings.TrimSpace(d.Basis) == "" || strings.TrimSpace(d.Penalty) == "" {
			return nil, fmt.Errorf("%w: 行政处罚决定书须填写处罚依据和处罚内容", baoxue.ErrInvalid)
		}
		rel := ""
		if d.Relation != "" {
			rel = "，系" + blank(d.ChildName) + "的" + d.Relation
		}
		add(BlockSalutation, "当事人：%s%s，住址：%s。", guardian, rel, blank(d.Address))
		facts := fmt.Sprintf("经查明：当事人系适龄儿童少年%s的监护人。%s自%s起辍学，%s。", d.child(), blank(d.ChildName),
			ChineseDate(d.DropoutDate), d.visits())
		if p, ok := d.prior(KindNotice); ok {
			facts += fmt.Sprintf("%s向当事人送达%s；", ChineseDate(p.Served), d.priorRef(KindNotice))
		}
		if p, ok := d.prior(KindOrder); ok {
			facts += fmt.Sprintf("%s向当事人送达%s，责令其于%s前送%s复学。", ChineseDate(p.Served), d.priorRef(KindOrder),
				ChineseDate(p.Deadline), blank(d.ChildName))
		}
		facts += "当事人逾期仍未改正。"
		add(BlockPara, "%s", facts)
		add(BlockPara, "上述事实有劝返走访记录、文书送达回证、学校出具的辍学证明等证据证实。")
		add(BlockPara, "本机关认为，当事人无正当理由未送适龄儿童少年入学接受义务教育，违反了%s第五条第二款、第十一条第一款的规定，经%s第五十八条规定的批评教育、责令限期改正后仍不改正。依据%s，决定给予当事人如下行政处罚：%s。",
			LawName, LawName, d.Basis, d.Penalty)
		add(BlockPara, "当事人应于%s前履行本决定，并送%s到%s复学。", ChineseDate(d.Deadline), blank(d.ChildName), blank(d.ReturnTo))
		add(BlockPara, "当事人如不服本决定，可以在收到本决定书之日起六十日内向%s申请行政复议，或者在六个月内依法向%s提起行政诉讼。当事人逾期不申请行政复议、不提起行政诉讼又不履行本决定的，本机关将依法申请人民法院强制执行。",
			blank(d.ReviewOrgan), blank(d.Court))
	case KindLitigation:
		add(BlockPara, "案由：%s未依法送适龄儿童少年%s接受义务教育", guardian, blank(d.ChildName))
		items := []string{
			"起诉状（或强制执行申请书）正本一份，并按被告（被申请人）人数提交副本",
			"原告（申请人）主体资格证明：统一社会信用代码证书复印件、法定代表人身份证明书、授权委托书",
			fmt.Sprintf("被告（被申请人）%s的身份证明、户口簿复印件", guardian),
			fmt.Sprintf("适龄儿童少年%s的户籍证明及与被告的监护关系证明", d.child()),
			fmt.Sprintf("%s出具的学籍证明和辍学证明（辍学时间：%s）", blank(d.School), ChineseDate(d.DropoutDate)),
			fmt.Sprintf("劝返走访记录（%s）", strings.TrimPrefix(d.visits(), "经")),
		}
		for _, k := range []Kind{KindNotice, KindOrder, KindPenalty} {
			if p, ok := d.prior(k); ok {
				items = append(items, fmt.Sprintf("%s及送达回证（%s送达）", d.priorRef(k), ChineseDate(p.Served)))
			} else {
				items = append(items, fmt.Sprintf("%s及送达回证（未制发的不提交）", d.priorRef(k)))
			}
		}
		items = append(items, "当事人逾期未履行义务的证明（学校出具的未复学证明等）", "证据目录（按以上顺序编号，注明证明目的）")
		for i, it := range items {
			add(BlockItem, "%d. %s", i+1, it)
		}
	}
	add(BlockSign, "%s", blank(d.Issuer))
	add(BlockSign, "%s", ChineseDate(d.Issued))
	return doc, nil
}
