package cli

import "context"

// Subcommands under construction; each helper replaces its stub with a real file.
func cmdMigrate(ctx context.Context, env *Env, args []string) error {
	return usagef("migrate: 尚未实现")
}
func cmdDemo(ctx context.Context, env *Env, args []string) error { return usagef("demo: 尚未实现") }
func cmdServe(ctx context.Context, env *Env, args []string) error {
	return usagef("serve: 尚未实现")
}
func cmdAudit(ctx context.Context, env *Env, args []string) error {
	return usagef("audit: 尚未实现")
}
