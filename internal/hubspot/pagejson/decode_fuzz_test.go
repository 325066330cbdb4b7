package pagejson

import "testing"

// FuzzDecodePages checks that the page decoders agree with encoding/json on any input: both
// fail with the same error, or both succeed with deep-equal values.
func FuzzDecodePages(f *testing.F) {
	f.Add([]byte(smallPage))
	f.Add(emulatorPage(f, "1"))
	f.Add([]byte(`{"total":4321,"results":[{"id":"1","properties":{"a":"x","b":null}}],"paging":{"next":{"after":"200"}}}`))
	f.Add([]byte(`{"status":"COMPLETE","results":[{"id":"1","new":true,"properties":{"email":"a@b.c"}}],` +
		`"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"m","context":{"ids":["3"]}}]}`))
	f.Add([]byte(`{"results":[{"associations":{"c":{"results":[{"id":"1","type":"a"}],"results":[null,{"id":2}]}},"archivedAt":"2024-01-01T00:00:00+01:00"}]}`))
	f.Add([]byte("{\"results\":[{\"properties\":{\"\\u0061\":\"\\ud83d\\ude80\\ud83d\",\"b\":\"x\xff\"},\"ID\":7}]}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		decodeAllBoth(t, body)
	})
}
