// Package istat reads the two files behind pcnet's geography: the official
// ISTAT list of Italian Comuni ("Elenco dei codici e delle denominazioni
// delle unità territoriali", see [ParseComuni]) and the Open Data Sicilia
// coordinates of each Comune (see [ApplyCoordinates]).
//
// Both readers accept the files as they are really published, quirks and
// all (internal/dataset/istat/README.md lists them): UTF-8 with a byte-order
// mark or Windows-1252, header cells spanning lines, stray spaces, "."
// thousands separators, codes with and without leading zeros. They are
// strict about content: a malformed row in the Comuni list fails the whole
// parse with errors naming the physical line, because a geography with holes
// would silently skew every coverage figure. Coordinates are only decoration,
// so bad coordinate rows are left out and reported instead.
package istat
