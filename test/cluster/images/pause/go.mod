module agent-sandbox-kit.dev/pause

go 1.22
