import Foundation
import Testing

@Suite(.serialized) struct TokenInteropTests {
    /// A citizen signs in against the real server (the code read from the development SMS outbox)
    /// and an independent JWT library (Python's joserfc) verifies the access token from the JWKS alone.
    @Test func anOutsideLibraryVerifiesAccessTokensFromTheJWKS() async throws {
        let server = try ServerProcess(arguments: ["--port", "0"])
        defer { server.stop() }
        let port = try server.waitUntilListening()
        let base = "http://127.0.0.1:\(port)"
        let sent = try await httpPost(base + "/v1/auth/otp", json: #"{"phone":"0912345678"}"#)
        #expect(sent.status == 202)
        let outbox = try String(contentsOf: server.folder.appendingPathComponent("smartvl-data/sms-outbox.log"), encoding: .utf8)
        let line = try #require(outbox.split(separator: "\n").last)
        #expect(line.hasPrefix("0912345678 "))
        let code = String(line.split(separator: " ")[1])
        let verified = try await httpPost(base + "/v1/auth/otp/verify", json: #"{"phone":"0912345678","code":"\#(code)"}"#)
        #expect(verified.status == 200)
        let pair = try #require(try JSONSerialization.jsonObject(with: verified.body) as? [String: Any])
        let token = try #require(pair["access_token"] as? String)
        let userID = try #require((pair["user"] as? [String: Any])?["id"] as? String)
        let (jwksStatus, jwks) = try await httpGet(base + "/.well-known/jwks.json")
        #expect(jwksStatus == 200)

        let script = """
            import json, sys, time, warnings
            warnings.simplefilter("ignore")
            from joserfc import jwt
            from joserfc.jwk import KeySet
            keys = KeySet.import_key_set(json.loads(sys.argv[1]))
            token = jwt.decode(sys.argv[2], keys, algorithms=["EdDSA"])
            assert token.header["typ"] == "at+jwt", token.header
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": "https://smartvl.vinhlong.gov.vn"},
                aud={"essential": True, "value": "smartvl-api"},
                exp={"essential": True}, sub={"essential": True},
            ).validate(token.claims)
            print(token.claims["sub"])
            """
        let result = try runProgram(["python3", "-c", script, String(decoding: jwks, as: UTF8.self), token])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).uppercased() == userID.uppercased())
        // The same library refuses the token once one byte of the signature changes.
        let tampered = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BA" : "AA")
        #expect(try runProgram(["python3", "-c", script, String(decoding: jwks, as: UTF8.self), tampered]).status != 0)
    }
}
