/// Why an event (or a log line) was rejected: a numbered, named code, the field at fault and a message
/// that says what was wrong.
public struct EventError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A validation error code. Numbers are stable and documented in the README; new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The stable number (also sent on the wire).
        public let number: UInt16
        /// The stable kebab-case name.
        public let name: String

        private init(_ number: UInt16, _ name: String) {
            self.number = number
            self.name = name
        }

        public static let malformedLine = Code(100, "malformed-line")
        public static let unknownField = Code(101, "unknown-field")
        public static let wrongType = Code(102, "wrong-type")
        public static let invalidUTF8 = Code(103, "invalid-utf8")
        public static let missingField = Code(104, "missing-field")
        public static let emptyTitle = Code(110, "empty-title")
        public static let controlCharacter = Code(111, "control-character")
        public static let tooLong = Code(112, "too-long")
        public static let tooMany = Code(113, "too-many")
        public static let invalidID = Code(114, "invalid-id")
        public static let malformedDate = Code(120, "malformed-date")
        public static let unknownKind = Code(121, "unknown-kind")
        public static let unknownRelation = Code(122, "unknown-relation")
        public static let duplicateActor = Code(130, "duplicate-actor")
        public static let emptyActorName = Code(131, "empty-actor-name")
        public static let invalidActorCode = Code(132, "invalid-actor-code")
        public static let duplicateValue = Code(133, "duplicate-value")
        public static let emptyValue = Code(134, "empty-value")
        public static let invalidURL = Code(140, "invalid-url")
        public static let selfReference = Code(150, "self-reference")
        public static let duplicateReference = Code(151, "duplicate-reference")
        public static let invalidRevision = Code(160, "invalid-revision")
        public static let invalidTimestamp = Code(161, "invalid-timestamp")
        public static let emptyReason = Code(162, "empty-reason")
        /// Same id as a stored event (or an earlier one in the batch) with different content.
        public static let conflict = Code(170, "conflict")
        /// The event to amend or retract does not exist.
        public static let notFound = Code(171, "not-found")
        /// Not written because another entry of the same atomic batch was rejected.
        public static let batchAborted = Code(172, "batch-aborted")
        /// The batch holds more entries than the server accepts in one request.
        public static let batchTooLarge = Code(173, "batch-too-large")

        /// Every code, in number order.
        public static let all: [Code] = [
            .malformedLine, .unknownField, .wrongType, .invalidUTF8, .missingField, .emptyTitle,
            .controlCharacter, .tooLong, .tooMany, .invalidID, .malformedDate, .unknownKind, .unknownRelation,
            .duplicateActor, .emptyActorName, .invalidActorCode, .duplicateValue, .emptyValue, .invalidURL,
            .selfReference, .duplicateReference, .invalidRevision, .invalidTimestamp, .emptyReason,
            .conflict, .notFound, .batchAborted, .batchTooLarge,
        ]

        /// The code with the given number; unknown numbers (from a newer peer) keep their number.
        public init(number: UInt16) {
            self = Code.all.first { $0.number == number } ?? Code(number, "error-\(number)")
        }

        /// The code with the given name, if known.
        public init?(name: String) {
            guard let code = Code.all.first(where: { $0.name == name }) else { return nil }
            self = code
        }

        public var description: String { name }
    }

    /// What kind of problem it is.
    public var code: Code
    /// The field at fault, in log (snake_case) spelling, e.g. `actors[2].code`; nil for the whole line.
    public var field: String?
    /// What was wrong, for a person.
    public var message: String

    public init(_ code: Code, field: String? = nil, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String {
        if let field { return "\(code.name) (\(field)): \(message)" }
        return "\(code.name): \(message)"
    }
}
