module example.com/RemoteKit

go 1.19
