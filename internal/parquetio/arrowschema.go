package parquetio

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/cloudquery/plugin-sdk/v4/types"
)

// arrowSchemaKey is the Parquet key-value metadata key under which Arrow's
// writers (pqarrow, pyarrow) store the serialised Arrow schema. Using the same
// key lets those readers restore exact types and metadata from our files.
const arrowSchemaKey = "ARROW:schema"

// encodeArrowSchema serialises a schema as an Arrow IPC stream holding only
// the schema message, base64-encoded, exactly as Arrow's writers do.
func encodeArrowSchema(sc *arrow.Schema) (string, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(sc))
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("serialise Arrow schema: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// decodeArrowSchema reverses encodeArrowSchema. Some writers omit base64
// padding, so the unpadded form is accepted too.
func decodeArrowSchema(s string) (*arrow.Schema, error) {
	if err := registerExtensions(); err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return nil, fmt.Errorf("decode %s metadata: %w", arrowSchemaKey, err)
		}
	}
	r, err := ipc.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("decode %s metadata: %w", arrowSchemaKey, err)
	}
	defer r.Release()
	return r.Schema(), nil
}

// registerExtensions registers CloudQuery's extension types with Arrow, so
// that decoding a stored schema yields UUID and JSON columns rather than
// their storage types. The CloudQuery plugin server registers them too, but
// the in-process runner does not go through it.
var registerExtensions = sync.OnceValue(func() error {
	for _, t := range []arrow.ExtensionType{
		types.ExtensionTypes.UUID, types.ExtensionTypes.JSON, types.ExtensionTypes.Inet, types.ExtensionTypes.MAC,
	} {
		if arrow.GetExtensionType(t.ExtensionName()) != nil {
			continue
		}
		if err := arrow.RegisterExtensionType(t); err != nil {
			return fmt.Errorf("register Arrow extension type %s: %w", t.ExtensionName(), err)
		}
	}
	return nil
})
