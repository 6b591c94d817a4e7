module pipes.test

go 1.19
