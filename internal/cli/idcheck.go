package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/idcard"
	"github.com/baoxue/baoxue/internal/region"
)

// maxIDLine bounds one stdin line; no ID cell comes near it, and a longer line means the input
// is not a list of IDs.
const maxIDLine = 1 << 20

// idResult is one line of `baoxue id check` output. The keys are a stable contract (DESIGN §8):
// every key is present on every line; message is added only for invalid input.
type idResult struct {
	Input      string `json:"input"`
	Valid      bool   `json:"valid"`
	IDNumber   string `json:"id_number"`
	BirthDate  string `json:"birth_date"`
	Sex        string `json:"sex"`
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
	Upgraded   bool   `json:"upgraded,omitempty"` // upgraded from a 15-digit legacy number
	Error      string `json:"error"`
	Message    string `json:"message,omitempty"`
}

// cmdID runs `baoxue id check [ID …]`.
func cmdID(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("id: 缺少动作；用法: baoxue id check [ID …]")
	}
	if args[0] != "check" {
		return usagef("id: 未知动作 %q；用法: baoxue id check [ID …]", args[0])
	}
	fs := newFlags(env, "id check")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "用法: baoxue id check [ID …]")
		fmt.Fprintln(fs.Output(), "校验公民身份号码，每个号码输出一行JSON；没有参数时从标准输入逐行读取。")
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}

	tree, err := region.Load()
	if err != nil {
		return fmt.Errorf("加载行政区划数据: %w", err)
	}
	check := idChecker{
		tree:      tree,
		validator: idcard.NewValidator(tree.Address(), baoxue.DateOf(time.Now())),
		out:       bufio.NewWriter(env.Stdout),
	}
	check.enc = json.NewEncoder(check.out)
	check.enc.SetEscapeHTML(false)

	if ids := fs.Args(); len(ids) > 0 {
		for _, id := range ids {
			if err := check.line(id); err != nil {
				return err
			}
		}
		return check.flush()
	}

	sc := bufio.NewScanner(env.Stdin)
	sc.Buffer(make([]byte, 0, 64*1024), maxIDLine)
	for n := 1; sc.Scan(); n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // a UTF-8 file saved by Notepad
		}
		if err := check.line(line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		_ = check.flush()
		return fmt.Errorf("读取标准输入: %w", err)
	}
	return check.flush()
}

// idChecker validates lines and writes one JSON object per line.
type idChecker struct {
	tree      *region.Tree
	validator *idcard.Validator
	out       *bufio.Writer
	enc       *json.Encoder
}

func (c *idChecker) line(input string) error {
	res := idResult{Input: input}
	n, code := c.validator.Check(input)
	if code == idcard.OK {
		res.Valid = true
		res.IDNumber = n.String()
		res.BirthDate = n.Birth.String()
		res.Sex = string(n.Sex)
		res.RegionCode = res.IDNumber[:6]
		res.RegionName, _ = c.tree.AddressName(n.Address)
		res.Upgraded = n.Upgraded
	} else {
		res.Error = code.String()
		res.Message = code.Message()
	}
	if err := c.enc.Encode(res); err != nil {
		return fmt.Errorf("写出结果: %w", err)
	}
	return nil
}

func (c *idChecker) flush() error {
	if err := c.out.Flush(); err != nil {
		return fmt.Errorf("写出结果: %w", err)
	}
	return nil
}
