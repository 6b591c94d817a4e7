module schedcast/bench/chanpairs

go 1.19
