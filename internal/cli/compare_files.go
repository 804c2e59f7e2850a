package cli

import (
	"context"
	"fmt"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/compare"
	"github.com/baoxue/baoxue/internal/region"
)

// fileInputs opens the input files of file mode as record streams. It needs internal/ingest's
// row → record conversion as a stream (not yet exported: ingest.Import converts straight into the
// store); until then file mode reports that it is unavailable.
func fileInputs(ctx context.Context, f *compareFlags, tree *region.Tree, asOf baoxue.Date) (compare.Inputs, func() (int64, int64), error) {
	return compare.Inputs{}, nil, fmt.Errorf("文件模式暂不可用：请先用 baoxue import 导入，再用 baoxue compare --db 比对")
}
