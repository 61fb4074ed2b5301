// Package network is the network file format and the illustrative network
// shipped with pcnet.
//
//   - [Taxonomy] is the programme's sector taxonomy: procurement, Europe,
//     innovation and digitalisation, personnel, and their areas.
//   - [Decode] and [Encode] read and write network files, JSON documents
//     described in FORMAT.md that users may also write by hand. Decoding
//     checks the form of a file; pcnet.Dataset.Validate checks that the
//     network fits the geography.
//   - [Generate] makes up a plausible network over a geography,
//     deterministically. internal/dataset/network.json is its output over
//     the shipped ISTAT geography, written by the gen command
//     (go generate ./internal/dataset); it is illustrative data, not the
//     programme's.
package network
