// compose-check loads a Compose file with the Compose Specification's own loader
// (github.com/compose-spec/compose-go, the library behind `docker compose`), the way
// `docker compose config` does: interpolation from an env file only (not this process's
// environment, so the result does not depend on the shell), schema validation, normalisation.
// It prints the resolved project as JSON on stdout, or the loader's error on stderr and exits 1.
//
// Usage: compose-check [-env-file FILE] COMPOSE_FILE
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	envFile := flag.String("env-file", "", "file whose variables interpolate the compose file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: compose-check [-env-file FILE] COMPOSE_FILE")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *envFile); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(file, envFile string) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	opts := []cli.ProjectOptionsFn{cli.WithWorkingDirectory(filepath.Dir(abs))}
	if envFile != "" {
		opts = append(opts, cli.WithEnvFiles(envFile), cli.WithDotEnv)
	}
	options, err := cli.NewProjectOptions([]string{abs}, opts...)
	if err != nil {
		return err
	}
	project, err := cli.ProjectFromOptions(context.Background(), options)
	if err != nil {
		return err
	}
	out, err := project.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(out, '\n'))
	return err
}
