// Command baoxue is the one binary of baoxue: web application, JSON API and batch command line.
// Everything is wired in internal/cli; main only supplies the process's environment.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/baoxue/baoxue/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(cli.ExitCode(err))
}
