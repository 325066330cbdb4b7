package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	pbdiscovery "github.com/cloudquery/plugin-pb-go/pb/discovery/v1"
	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// maxMsgSize is the message size limit the CloudQuery CLI and the SDK's server both use.
const maxMsgSize = 100 << 20

// servedPlugin is one `hubspot serve` process and a gRPC connection to it, as the CLI holds.
type servedPlugin struct {
	pb.PluginClient
	Discovery pbdiscovery.DiscoveryClient
	// Addr is the address the plugin reported in its "listening" log line.
	Addr string
	// Pid is the process's id, for benchmarks that read its resource use from /proc.
	Pid int
}

// servePlugin starts the binary with `serve` on network "tcp" (loopback, port 0) or "unix" (a
// socket in a fresh directory) and connects to it. The process is stopped with SIGTERM at cleanup,
// and its log is printed when the test failed.
func servePlugin(t testing.TB, network string) *servedPlugin {
	t.Helper()
	address := "127.0.0.1:0"
	if network == "unix" {
		// t.TempDir paths can exceed the 108-byte limit of socket paths.
		dir, err := os.MkdirTemp("", "hs-sock-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		address = filepath.Join(dir, "plugin.sock")
	}
	cmd := exec.Command(pluginBinary, "serve", "--network", network, "--address", address, "--log-format", "json", "--no-sentry")
	cmd.Env = append(os.Environ(), "CQ_TELEMETRY_LEVEL=none")
	logs := &lockedBuffer{}
	watcher := &listenWatcher{out: logs, listening: make(chan string, 1)}
	cmd.Stdout, cmd.Stderr = watcher, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s serve: %v", pluginBinary, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		stopProcess(t, cmd, exited)
		if t.Failed() {
			t.Logf("hubspot serve (%s) log:\n%s", network, logs.String())
		}
	})

	var addr string
	select {
	case addr = <-watcher.listening:
	case err := <-exited:
		exited <- err // stopProcess waits on it at cleanup
		t.Fatalf("hubspot serve exited before listening (%v):\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("hubspot serve did not report its address within 30s:\n%s", logs.String())
	}
	target := addr
	if network == "unix" {
		target = "unix://" + addr
	}
	conn, err := grpc.NewClient(target,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMsgSize), grpc.MaxCallSendMsgSize(maxMsgSize)),
	)
	if err != nil {
		t.Fatalf("dial %s: %v", target, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &servedPlugin{PluginClient: pb.NewPluginClient(conn), Discovery: pbdiscovery.NewDiscoveryClient(conn), Addr: addr, Pid: cmd.Process.Pid}
}

// listenWatcher copies the plugin's JSON log into out and sends the address of the first "Plugin
// server listening" line to listening.
type listenWatcher struct {
	out       io.Writer
	listening chan string
	partial   []byte // written by one goroutine only: exec copies stdout sequentially
}

func (w *listenWatcher) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		line, rest, ok := bytes.Cut(w.partial, []byte("\n"))
		if !ok {
			break
		}
		w.inspect(line)
		w.partial = rest
	}
	return w.out.Write(p)
}

func (w *listenWatcher) inspect(line []byte) {
	var entry struct {
		Message string `json:"message"`
		Address string `json:"address"`
	}
	if json.Unmarshal(line, &entry) == nil && entry.Message == "Plugin server listening" {
		select {
		case w.listening <- entry.Address:
		default:
		}
	}
}

// stopProcess asks the plugin to shut down as the CLI does, and kills it if it does not. exited
// receives the result of cmd.Wait.
func stopProcess(t testing.TB, cmd *exec.Cmd, exited chan error) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("signal plugin: %v", err)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Errorf("plugin ignored SIGTERM for 10s; killing it")
		_ = cmd.Process.Kill()
		<-exited
	}
}

// lockedBuffer collects the plugin's output from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// callCtx bounds one test's protocol calls.
func callCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	t.Cleanup(cancel)
	return ctx
}
