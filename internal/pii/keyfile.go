package pii

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// LoadOrCreateKey reads the master key from path, creating the file with a new random key (mode
// 0600, as 64 hex digits and a newline) when it does not exist. The file is written under a
// temporary name and linked into place, so a crash never leaves a half-written key and two
// processes starting at once end up with the same key.
func LoadOrCreateKey(path string) (*Keyring, error) {
	key, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createKeyFile(path); err != nil {
			return nil, err
		}
		key, err = readKeyFile(path)
	}
	if err != nil {
		return nil, err
	}
	return New(key)
}

func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	// Like ssh, refuse a key others can read: it protects every ID number in the database.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("密钥文件 %s 的权限 %o 过宽，请执行 chmod 600 %s: %w", path, fi.Mode().Perm(), path, ErrKey)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("读取密钥文件: %w", err)
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("密钥文件 %s: %w", path, err)
	}
	return key, nil
}

func createKeyFile(path string) error {
	key, err := GenerateKey()
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("创建密钥目录: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".baoxue-key-*")
	if err != nil {
		return fmt.Errorf("创建密钥文件: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("设置密钥文件权限: %w", err)
	}
	_, err = fmt.Fprintf(tmp, "%x\n", key)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("写入密钥文件: %w", err)
	}
	// Link fails if another process created the key first; then its key is the one to use.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("保存密钥文件: %w", err)
	}
	return nil
}
