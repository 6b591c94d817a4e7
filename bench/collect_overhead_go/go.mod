module schedcast.bench/overhead

go 1.19
