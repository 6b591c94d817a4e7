module params.test

go 1.19
