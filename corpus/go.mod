module schedcast.dev/corpus

go 1.19
