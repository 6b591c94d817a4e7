module example.com/localkit

go 1.19
