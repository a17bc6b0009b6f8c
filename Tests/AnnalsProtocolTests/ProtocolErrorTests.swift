import Testing
@testable import AnnalsProtocol

@Suite("Error codes")
struct ProtocolErrorTests {
    @Test("numbers and names are unique, in order, and found by name and number")
    func unique() {
        let all = ProtocolError.Code.all
        #expect(Set(all.map(\.number)).count == all.count)
        #expect(Set(all.map(\.name)).count == all.count)
        #expect(all.map(\.number) == Array(1...UInt16(all.count)))
        for code in all {
            #expect(ProtocolError.Code(number: code.number) == code)
            #expect(ProtocolError.Code(name: code.name) == code)
        }
        #expect(ProtocolError.Code(name: "nope") == nil)
    }

    @Test("the codes that close the connection")
    func closing() {
        let closing = ProtocolError.Code.all.filter(\.closesConnection).map(\.name)
        #expect(closing == [
            "malformed-frame", "unsupported-version", "frame-too-large", "server-busy", "handshake-required",
            "timeout", "shutting-down",
        ])
    }

    @Test("message types: requests below 0x40, responses above, error is 0x7F")
    func messageTypes() {
        for type in MessageType.allCases {
            #expect(type.isRequest != type.isResponse)
            #expect(type.isRequest ? (0x01...0x3F).contains(type.rawValue) : (0x41...0x7F).contains(type.rawValue))
        }
        #expect(MessageType.error.rawValue == 0x7F)
        #expect(Set(MessageType.allCases.map(\.rawValue)).count == MessageType.allCases.count)
    }
}
