// Command replay is an HTTP proxy for benchmarks: it forwards a request it has not seen to the
// upstream server and records a successful answer, then answers the same request (method, URI and
// body) from memory. Answered from memory, pages arrive as fast as loopback carries them, so the
// plugin's CPU time measures the plugin: against the emulator, which takes several milliseconds to
// render a page, the plugin would wait idle for each one, and waking up after each wait costs CPU
// of its own that depends on the server and the machine, not on the records.
//
// Usage: replay -upstream http://127.0.0.1:PORT. It prints "listening on URL", and serves its
// counts (recorded, replayed, forwarded) as JSON at /_replay/stats.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
)

func main() {
	upstream := flag.String("upstream", "", "base URL of the server to record from")
	flag.Parse()
	if *upstream == "" {
		fmt.Fprintln(os.Stderr, "replay: -upstream is required")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
	p := &proxy{upstream: *upstream, answers: map[string]answer{}}
	fmt.Printf("replay listening on http://%s\n", ln.Addr())
	if err := http.Serve(ln, p); err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
}

// answer is a recorded successful response. Only its content type is kept: replayed rate-limit
// headers would describe the recording run's window and make the client wait for nothing.
type answer struct {
	contentType string
	body        []byte
}

type proxy struct {
	upstream string

	mu      sync.RWMutex
	answers map[string]answer

	recorded, replayed, forwarded atomic.Int64
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_replay/stats" {
		json.NewEncoder(w).Encode(map[string]int64{"recorded": p.recorded.Load(), "replayed": p.replayed.Load(), "forwarded": p.forwarded.Load()})
		return
	}
	reqBody, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := r.Method + " " + r.RequestURI + "\n" + string(reqBody)
	p.mu.RLock()
	a, ok := p.answers[key]
	p.mu.RUnlock()
	if ok {
		p.replayed.Add(1)
		write(w, http.StatusOK, http.Header{"Content-Type": {a.contentType}}, a.body)
		return
	}
	status, header, body, err := p.forward(r, reqBody)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	p.forwarded.Add(1)
	if status == http.StatusOK {
		p.mu.Lock()
		p.answers[key] = answer{contentType: header.Get("Content-Type"), body: body}
		p.mu.Unlock()
		p.recorded.Add(1)
	}
	write(w, status, header, body)
}

func (p *proxy) forward(r *http.Request, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.RequestURI, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header = r.Header.Clone()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	resBody, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Clone(), resBody, err
}

func write(w http.ResponseWriter, status int, header http.Header, body []byte) {
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
