package main

func main() { println("${{ values.name }}") }
