package cli

import "context"

// Subcommands under construction; each helper replaces its stub with a real file.
func cmdDemo(ctx context.Context, env *Env, args []string) error { return usagef("demo: 尚未实现") }
func cmdServe(ctx context.Context, env *Env, args []string) error {
	return usagef("serve: 尚未实现")
}
