struct Main { static func main() {} }
Main.main()
