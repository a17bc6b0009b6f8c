@testable import AnnalsPostgres
import AnnalsStore
import AnnalsStoreTesting
import Testing

/// How failures reach users: by SQLSTATE, in their terms, never with a password.
@Suite("PostgreSQL: errors and connection strings")
struct ErrorMappingTests {
    @Test func aStatementTimeoutSaysHowLongItRan() {
        let error = PGErrorMapping.storeError(PGError(sqlState: "57014", message: "canceling statement due to statement timeout"), statementTimeout: 30)
        #expect(error.code == .io)
        #expect(error.message == "the query took longer than 30 s and was cancelled")
        let short = PGErrorMapping.storeError(PGError(sqlState: "57014", message: "x"), statementTimeout: 0.25, write: .nothingWritten)
        #expect(short.message == "the query took longer than 0.25 s and was cancelled; nothing was written")
        let lock = PGErrorMapping.storeError(PGError(sqlState: "55P03", message: "canceling statement due to lock timeout"), statementTimeout: 30, write: .nothingWritten)
        #expect(lock.code == .io)
        #expect(lock.message == "the query waited longer than 30 s for another session's lock and was cancelled; nothing was written")
    }

    @Test func aLostConnectionIsUnavailable() {
        let lost = PGError(message: "server closed the connection unexpectedly", connectionLost: true)
        let read = PGErrorMapping.storeError(lost, statementTimeout: 30)
        #expect(read.code == .unavailable)
        #expect(read.message.contains("cannot be reached") && read.message.contains("try again later"))
        let before = PGErrorMapping.storeError(lost, statementTimeout: 30, write: .nothingWritten)
        #expect(before.message.hasSuffix("; nothing was written; try again later"))
        let during = PGErrorMapping.storeError(lost, statementTimeout: 30, write: .outcomeUnknown)
        #expect(during.code == .unavailable)
        #expect(during.message.contains("may or may not have been written: send it again"))
    }

    @Test func sqlStatesThatEndTheSessionCountAsLost() {
        #expect(PGError.closesConnection("57P01"))
        #expect(PGError.closesConnection("08006"))
        #expect(!PGError.closesConnection("57014"))
        #expect(!PGError.closesConnection("23505"))
    }

    @Test func otherStatesMapByClass() {
        #expect(PGErrorMapping.storeError(PGError(sqlState: "53100", message: "could not extend file"), statementTimeout: 30).code == .full)
        #expect(PGErrorMapping.storeError(PGError(sqlState: "53300", message: "too many clients"), statementTimeout: 30).code == .unavailable)
        #expect(PGErrorMapping.storeError(PGError(sqlState: "XX001", message: "invalid page"), statementTimeout: 30).code == .corrupt)
        let serialization = PGErrorMapping.storeError(PGError(sqlState: "40P01", message: "deadlock detected"), statementTimeout: 30)
        #expect(serialization.code == .io && serialization.message.contains("nothing was written"))
        let other = PGErrorMapping.storeError(PGError(sqlState: "22003", message: "bigint out of range"), statementTimeout: 30)
        #expect(other.message == "the database failed: bigint out of range (SQLSTATE 22003)")
    }

    @Test func startupFailuresAreOneClearLine() throws {
        let target = try ConnectionString("postgresql://annals:s3cret@db.example:5433/annals")
        let password = PGErrorMapping.connectError(PGError(message: "connection to server at \"db.example\" (10.0.0.1), port 5433 failed: FATAL:  password authentication failed for user \"annals\""), to: target)
        #expect(password.message == "the database server refused the login to database 'annals' on db.example:5433 as 'annals': wrong or missing password (give it in the URL, PGPASSWORD or ~/.pgpass)")
        let missing = PGErrorMapping.connectError(PGError(message: "connection to server at \"db.example\", port 5433 failed: FATAL:  database \"annals\" does not exist"), to: target)
        #expect(missing.message == "database 'annals' on db.example:5433 as 'annals' does not exist: create it (createdb annals) or fix the URL")
        let down = PGErrorMapping.connectError(PGError(message: "connection to server at \"db.example\" (10.0.0.1), port 5433 failed: Connection refused Is the server running on that host and accepting TCP/IP connections?"), to: target)
        #expect(down.code == .unavailable)
        #expect(down.message.hasPrefix("the database server for database 'annals' on db.example:5433 as 'annals' cannot be reached: Connection refused"))
        for error in [password, missing, down] {
            #expect(!error.message.contains("s3cret"))
            #expect(!error.message.contains("\n"))
        }
    }

    @Test func libpqsLinesBecomeSentencesOnOneLine() {
        let message = "connection to server at \"db.example\" (10.0.0.1), port 5433 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n"
        #expect(PGError.oneLine(message) == "connection to server at \"db.example\" (10.0.0.1), port 5433 failed: Connection refused. Is the server running on that host and accepting TCP/IP connections?")
        #expect(PGError.oneLine("FATAL:  database \"x\" does not exist\n") == "database \"x\" does not exist")
    }

    @Test func passwordsAreRedacted() {
        #expect(ConnectionString.redacted("postgresql://annals:s3cret@db.example/annals") == "postgresql://annals:***@db.example/annals")
        #expect(ConnectionString.redacted("postgres://annals@db.example/annals?password=s3cret&sslmode=require")
                == "postgres://annals@db.example/annals?password=***&sslmode=require")
        #expect(ConnectionString.redacted("host=db user=annals password='s 3cret' dbname=annals") == "host=db user=annals password=*** dbname=annals")
        #expect(ConnectionString.redacted("postgresql:///annals?host=/run/postgresql") == "postgresql:///annals?host=/run/postgresql")
        #expect(PostgresEventStore.redacted("postgresql://annals:s3cret@db.example/annals?pass%77ord=s3cret&sslmode=require")
                == "postgresql://annals:***@db.example/annals?pass%77ord=***&sslmode=require")
        #expect(PostgresEventStore.redacted("host=db password = 's3cret' dbname=annals") == "host=db password = '***' dbname=annals")
        #expect(PostgresEventStore.redacted("postgresql://postgres@/postgres?host=/tmp/pg") == "postgresql://postgres@/postgres?host=/tmp/pg")
        #expect(ConnectionString.redacted("leaked s3cret here", secretOf: "postgresql://u:s3cret@h/d") == "leaked *** here")
    }

    @Test func anUnreadableURLIsRefusedWithoutItsPassword() {
        let error = #expect(throws: StoreError.self) {
            _ = try ConnectionString("postgresql://annals:s3cret@db.example/annals?nosuchparameter=1")
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("the database URL 'postgresql://annals:***@db.example/annals?nosuchparameter=1' cannot be read"))
        #expect(!message.contains("s3cret"))
    }

    @Test func theURLIsDescribedForMessages() throws {
        #expect(try ConnectionString("postgresql:///annals?host=/run/postgresql&user=ann").place == "database 'annals' on /run/postgresql as 'ann'")
        #expect(PostgresEventStore.isConnectionString("postgres://x") && PostgresEventStore.isConnectionString("postgresql:///d"))
        #expect(!PostgresEventStore.isConnectionString("/var/lib/annals.sqlite"))
    }
}
