package cql

import (
	"strings"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF    tokKind = iota
	tLParen         // (
	tRParen         // )
	tSlash          // /
	tComp           // = == <> < > <= >=
	tWord           // unquoted characters
	tString         // "quoted", text without the quotes
)

type token struct {
	kind tokKind
	text string // comparison symbol, word or quoted text (escapes kept)
	pos  int
}

// isTerm reports whether t can stand where CQL wants a term, index,
// prefix, URI or modifier name or value.
func (t token) isTerm() bool { return t.kind == tWord || t.kind == tString }

// keyword reports whether t is the unquoted keyword kw (case-insensitive).
func (t token) keyword(kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }

func (t token) boolean() (Op, bool) {
	if t.kind != tWord {
		return "", false
	}
	switch strings.ToLower(t.text) {
	case "and":
		return And, true
	case "or":
		return Or, true
	case "not":
		return Not, true
	case "prox":
		return Prox, true
	}
	return "", false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// special bytes end an unquoted word.
func isSpecial(c byte) bool {
	return isSpace(c) || c == '(' || c == ')' || c == '=' || c == '<' || c == '>' || c == '/' || c == '"'
}

// lex splits the query into tokens.
func lex(s string) ([]token, error) {
	if !utf8.ValidString(s) {
		return nil, errorf(DiagSyntax, -1, "", "query is not valid UTF-8")
	}
	var toks []token
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			toks = append(toks, token{kind: tEOF, pos: i})
			return toks, nil
		}
		start := i
		c := s[i]
		switch c {
		case '(':
			toks = append(toks, token{kind: tLParen, text: "(", pos: i})
			i++
		case ')':
			toks = append(toks, token{kind: tRParen, text: ")", pos: i})
			i++
		case '/':
			toks = append(toks, token{kind: tSlash, text: "/", pos: i})
			i++
		case '=':
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, token{kind: tComp, text: "==", pos: i})
				i += 2
			} else {
				toks = append(toks, token{kind: tComp, text: "=", pos: i})
				i++
			}
		case '<':
			if i+1 < len(s) && (s[i+1] == '=' || s[i+1] == '>') {
				toks = append(toks, token{kind: tComp, text: s[i : i+2], pos: i})
				i += 2
			} else {
				toks = append(toks, token{kind: tComp, text: "<", pos: i})
				i++
			}
		case '>':
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, token{kind: tComp, text: ">=", pos: i})
				i += 2
			} else {
				toks = append(toks, token{kind: tComp, text: ">", pos: i})
				i++
			}
		case '"':
			i++
			for {
				if i >= len(s) {
					return nil, errorf(DiagQuotes, start, "", "unterminated quoted string")
				}
				if s[i] == '\\' {
					if i+1 >= len(s) {
						return nil, errorf(DiagQuotes, start, "", "unterminated quoted string")
					}
					i += 2
					continue
				}
				if s[i] == '"' {
					break
				}
				i++
			}
			toks = append(toks, token{kind: tString, text: s[start+1 : i], pos: start})
			i++
			if i < len(s) && !isSpecial(s[i]) {
				return nil, errorf(DiagQuotes, i, "", "quoted string runs into unquoted text")
			}
		default:
			for i < len(s) && !isSpecial(s[i]) {
				if s[i] == '\\' {
					if i+1 >= len(s) {
						return nil, errorf(DiagSyntax, i, "", "backslash at end of query")
					}
					i++ // the escaped byte is part of the word, whatever it is
					_, n := utf8.DecodeRuneInString(s[i:])
					i += n
					continue
				}
				i++
			}
			if i < len(s) && s[i] == '"' {
				return nil, errorf(DiagQuotes, i, "", "quote inside an unquoted word")
			}
			toks = append(toks, token{kind: tWord, text: s[start:i], pos: start})
		}
	}
}
