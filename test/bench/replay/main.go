// Command replay is an HTTP proxy for benchmarks: it forwards a request it has not seen to the
// upstream server and records a successful answer, then answers the same request (method, URI and
// body) from memory. Answered from memory, pages arrive as fast as loopback carries them, so the
// plugin's CPU time measures the plugin's work. Against the emulator, which takes several
// milliseconds to render a page, the plugin waits for each one, and the CPU time then also depends
// on how the machine resumes work after each wait.
//
// Usage: replay -upstream http://127.0.0.1:PORT. It prints "listening on URL". Its own routes:
//   - GET /_replay/stats: requests answered from memory ("replayed") and passed on ("forwarded"),
//     by method, as JSON;
//   - POST /_replay/wait?d=8ms: wait that long before each answer from memory (0 to stop), to
//     replay pages at the pace of a slower server.
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
	"time"
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
	p := &proxy{upstream: *upstream, answers: map[string]answer{}, counts: counts{Replayed: map[string]int{}, Forwarded: map[string]int{}}}
	fmt.Printf("replay listening on http://%s\n", ln.Addr())
	if err := http.Serve(ln, p); err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
}

// answer is a recorded successful response with the headers that describe its body. Other headers
// are dropped: rate-limit headers, when the upstream sends them, describe the recording run's
// window and would make the client wait for nothing.
type answer struct {
	contentType, contentEncoding string
	body                         []byte
}

// counts is the /_replay/stats answer.
type counts struct {
	Replayed  map[string]int `json:"replayed"`
	Forwarded map[string]int `json:"forwarded"`
}

type proxy struct {
	upstream string

	mu      sync.Mutex
	answers map[string]answer
	counts  counts
	wait    time.Duration
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_replay/stats":
		p.mu.Lock()
		stats, _ := json.Marshal(p.counts)
		p.mu.Unlock()
		w.Write(stats)
		return
	case "/_replay/wait":
		d, err := time.ParseDuration(r.URL.Query().Get("d"))
		switch {
		case r.Method != http.MethodPost:
			http.Error(w, "POST a wait", http.StatusMethodNotAllowed)
			return
		case err != nil || d < 0:
			http.Error(w, "d must be a duration of 0 or more, e.g. 8ms", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.wait = d
		p.mu.Unlock()
		return
	}
	reqBody, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := r.Method + " " + r.RequestURI + "\n" + string(reqBody)
	p.mu.Lock()
	a, ok := p.answers[key]
	wait := p.wait
	if ok {
		p.counts.Replayed[r.Method]++
	} else {
		p.counts.Forwarded[r.Method]++
	}
	p.mu.Unlock()
	if ok {
		time.Sleep(wait)
		write(w, http.StatusOK, http.Header{"Content-Type": {a.contentType}, "Content-Encoding": {a.contentEncoding}}, a.body)
		return
	}
	status, header, body, err := p.forward(r, reqBody)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if status == http.StatusOK {
		p.mu.Lock()
		p.answers[key] = answer{contentType: header.Get("Content-Type"), contentEncoding: header.Get("Content-Encoding"), body: body}
		p.mu.Unlock()
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
		if len(v) > 0 && v[0] != "" {
			w.Header()[k] = v
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
