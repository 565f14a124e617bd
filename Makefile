# gongkai — the two commands are `make run` and `make test` (see README.md).
# Each target is a thin wrapper around a script in tools/.

SHELL := /bin/bash
BUILD ?= build

.PHONY: all deps module unit run stop test check-memory bench clean

all: module

deps:
	tools/deps

module: deps
	BUILD=$(BUILD) tools/build

unit: module
	BUILD=$(BUILD) tools/unit

run: module
	tools/stack start

stop:
	tools/stack stop

test: module
	tools/test

check-memory: module
	tools/check-memory

bench: module
	tools/bench

clean:
	-tools/stack stop
	rm -rf $(BUILD) var
