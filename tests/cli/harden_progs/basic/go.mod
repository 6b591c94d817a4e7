module schedcast.test/harden

go 1.19
