package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/store"
)

// EnvKey is the environment variable that may hold the data key (64 hex digits or base64).
const EnvKey = "BAOXUE_KEY"

// Where the data key comes from, first match wins:
//  1. --key-file F: read F, or create it (mode 0600) with a new random key when it does not exist;
//  2. the BAOXUE_KEY environment variable;
//  3. SQLite only: the file <database>.key next to the database, created on first use.
//
// PostgreSQL has no default: a province server's key must be placed deliberately (a file outside
// the database server's backups, or a secret in the environment). The store records a fingerprint
// of the key on first use and refuses any other key afterwards (store.ErrWrongKey).

// keySource describes where the key came from, for messages and JSON summaries.
type keySource struct {
	keys *pii.Keyring
	from string // a file path, or "BAOXUE_KEY"
}

func loadKey(env *Env, dbURL, keyFile string) (*keySource, error) {
	if keyFile != "" {
		k, err := pii.LoadOrCreateKey(keyFile)
		if err != nil {
			return nil, fmt.Errorf("密钥文件 %s: %w", keyFile, err)
		}
		return &keySource{k, keyFile}, nil
	}
	if v := env.Getenv(EnvKey); v != "" {
		k, err := pii.FromEnv(v)
		if err != nil {
			return nil, fmt.Errorf("环境变量 %s: %w", EnvKey, err)
		}
		return &keySource{k, EnvKey}, nil
	}
	path := store.SQLitePath(dbURL)
	if path == "" {
		return nil, usagef("PostgreSQL 数据库需要密钥：请用 --key-file 指定密钥文件（不存在时自动生成），或设置环境变量 %s", EnvKey)
	}
	k, err := pii.LoadOrCreateKey(path + ".key")
	if err != nil {
		return nil, fmt.Errorf("密钥文件 %s: %w", path+".key", err)
	}
	return &keySource{k, path + ".key"}, nil
}

// openStore opens the database at dbURL with its key (see loadKey) and brings its schema up to
// date, so every command sees a ready store. The caller closes it.
func openStore(ctx context.Context, env *Env, dbURL, keyFile string) (*store.DB, error) {
	db, _, err := openStoreKey(ctx, env, dbURL, keyFile)
	return db, err
}

func openStoreKey(ctx context.Context, env *Env, dbURL, keyFile string) (*store.DB, *keySource, error) {
	if dbURL == "" {
		return nil, nil, usagef("缺少 --db（SQLite 文件路径或 postgres://… 地址）")
	}
	ks, err := loadKey(env, dbURL, keyFile)
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, dbURL, ks.keys)
	if err != nil {
		return nil, nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		if errors.Is(err, store.ErrWrongKey) {
			return nil, nil, fmt.Errorf("%w（密钥来源：%s）", err, ks.from)
		}
		return nil, nil, fmt.Errorf("升级数据库结构失败: %w", err)
	}
	return db, ks, nil
}

// redactURL hides a password in a database URL before it is printed.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	return p.Redacted()
}
