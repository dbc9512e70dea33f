import Foundation

/// Service liveness or readiness.
public struct HealthView: Codable, Sendable, Equatable {
    /// `ok` or `unavailable`.
    public var status: String
    /// Creates the view.
    public init(status: String) { self.status = status }
}

/// Every operation of the HTTP API, once. The server registers each of these through one helper;
/// the client calls them; `Docs/openapi.yaml` describes the same list and a test holds them together.
public enum Endpoints {
    // MARK: Sign-in and tokens
    public static let requestOTP = Endpoint<OTPRequest, OTPSent>("requestOTP", .post, "/v1/auth/otp", access: .anyone, success: 202, maxBodyBytes: 1024)
    public static let verifyOTP = Endpoint<OTPVerify, TokenPair>("verifyOTP", .post, "/v1/auth/otp/verify", access: .anyone, maxBodyBytes: 1024)
    public static let passwordLogin = Endpoint<PasswordLogin, TokenPair>("passwordLogin", .post, "/v1/auth/login", access: .anyone, maxBodyBytes: 2048)
    public static let refresh = Endpoint<RefreshRequest, TokenPair>("refresh", .post, "/v1/auth/refresh", access: .anyone, maxBodyBytes: 1024)
    public static let logout = Endpoint<LogoutRequest, NoContent>("logout", .post, "/v1/auth/logout", access: .signedIn, success: 204, maxBodyBytes: 1024)
    public static let me = Endpoint<NoContent, UserView>("me", .get, "/v1/me", access: .signedIn)
    public static let jwks = Endpoint<NoContent, JWKSet>("jwks", .get, "/.well-known/jwks.json", access: .anyone)

    // MARK: Catalogue
    public static let catalog = Endpoint<NoContent, CatalogView>("catalog", .get, "/v1/catalog", access: .anyone)

    // MARK: Feedback
    public static let createFeedback = Endpoint<FeedbackCreate, FeedbackView>("createFeedback", .post, "/v1/feedback", access: .citizen, success: 201)
    public static let listFeedback = Endpoint<NoContent, Page<FeedbackView>>("listFeedback", .get, "/v1/feedback", access: .signedIn)
    public static let getFeedback = Endpoint<NoContent, FeedbackView>("getFeedback", .get, "/v1/feedback/{id}", access: .signedIn)
    public static let withdrawFeedback = Endpoint<ReasonBody, FeedbackView>("withdrawFeedback", .post, "/v1/feedback/{id}/withdraw", access: .citizen)
    public static let rateFeedback = Endpoint<RatingBody, FeedbackView>("rateFeedback", .post, "/v1/feedback/{id}/rating", access: .citizen)
    public static let reopenFeedback = Endpoint<ReasonBody, FeedbackView>("reopenFeedback", .post, "/v1/feedback/{id}/reopen", access: .citizen)
    public static let feedbackMessages = Endpoint<NoContent, [MessageView]>("feedbackMessages", .get, "/v1/feedback/{id}/messages", access: .signedIn)
    public static let postFeedbackMessage = Endpoint<MessageCreate, MessageView>("postFeedbackMessage", .post, "/v1/feedback/{id}/messages", access: .signedIn, success: 201, maxBodyBytes: 16 * 1024)
    public static let feedbackHistory = Endpoint<NoContent, [HistoryView]>("feedbackHistory", .get, "/v1/feedback/{id}/history", access: .signedIn)
    public static let feedbackQueue = Endpoint<NoContent, Page<FeedbackView>>("feedbackQueue", .get, "/v1/queue/feedback", access: .staff)
    public static let assignFeedback = Endpoint<AssignBody, FeedbackView>("assignFeedback", .post, "/v1/feedback/{id}/assign", access: .supervisor)
    public static let transferFeedback = Endpoint<TransferBody, FeedbackView>("transferFeedback", .post, "/v1/feedback/{id}/transfer", access: .supervisor)
    public static let startFeedback = Endpoint<NoContent, FeedbackView>("startFeedback", .post, "/v1/feedback/{id}/start", access: .staff)
    public static let resolveFeedback = Endpoint<AnswerBody, FeedbackView>("resolveFeedback", .post, "/v1/feedback/{id}/resolve", access: .staff)
    public static let rejectFeedback = Endpoint<RejectBody, FeedbackView>("rejectFeedback", .post, "/v1/feedback/{id}/reject", access: .staff)

    // MARK: Service requests (dossiers)
    public static let createRequest = Endpoint<ServiceRequestCreate, ServiceRequestView>("createRequest", .post, "/v1/requests", access: .citizen, success: 201)
    public static let listRequests = Endpoint<NoContent, Page<ServiceRequestView>>("listRequests", .get, "/v1/requests", access: .signedIn)
    public static let getRequest = Endpoint<NoContent, ServiceRequestView>("getRequest", .get, "/v1/requests/{id}", access: .signedIn)
    public static let supplementRequest = Endpoint<SupplementBody, ServiceRequestView>("supplementRequest", .post, "/v1/requests/{id}/supplement", access: .citizen)
    public static let withdrawRequest = Endpoint<ReasonBody, ServiceRequestView>("withdrawRequest", .post, "/v1/requests/{id}/withdraw", access: .citizen)
    public static let requestHistory = Endpoint<NoContent, [HistoryView]>("requestHistory", .get, "/v1/requests/{id}/history", access: .signedIn)
    public static let requestQueue = Endpoint<NoContent, Page<ServiceRequestView>>("requestQueue", .get, "/v1/queue/requests", access: .staff)
    public static let receiveRequest = Endpoint<NoContent, ServiceRequestView>("receiveRequest", .post, "/v1/requests/{id}/receive", access: .staff)
    public static let startRequest = Endpoint<NoContent, ServiceRequestView>("startRequest", .post, "/v1/requests/{id}/start", access: .staff)
    public static let askSupplement = Endpoint<SupplementRequestBody, ServiceRequestView>("askSupplement", .post, "/v1/requests/{id}/request-supplement", access: .staff)
    public static let apologise = Endpoint<ApologyBody, ServiceRequestView>("apologise", .post, "/v1/requests/{id}/apology", access: .staff)
    public static let resultReady = Endpoint<NoContent, ServiceRequestView>("resultReady", .post, "/v1/requests/{id}/result-ready", access: .staff)
    public static let completeRequest = Endpoint<NoContent, ServiceRequestView>("completeRequest", .post, "/v1/requests/{id}/complete", access: .staff)
    public static let rejectRequest = Endpoint<ReasonBody, ServiceRequestView>("rejectRequest", .post, "/v1/requests/{id}/reject", access: .staff)

    // MARK: Money
    public static let listInvoices = Endpoint<NoContent, Page<InvoiceView>>("listInvoices", .get, "/v1/invoices", access: .signedIn)
    public static let getInvoice = Endpoint<NoContent, InvoiceView>("getInvoice", .get, "/v1/invoices/{id}", access: .signedIn)
    public static let issueInvoice = Endpoint<InvoiceCreate, InvoiceView>("issueInvoice", .post, "/v1/invoices", access: .staff, success: 201)
    public static let listPayments = Endpoint<NoContent, Page<PaymentView>>("listPayments", .get, "/v1/payments", access: .signedIn)
    public static let getPayment = Endpoint<NoContent, PaymentView>("getPayment", .get, "/v1/payments/{id}", access: .signedIn)
    public static let listReceipts = Endpoint<NoContent, Page<ReceiptView>>("listReceipts", .get, "/v1/receipts", access: .signedIn)
    public static let getReceipt = Endpoint<NoContent, ReceiptView>("getReceipt", .get, "/v1/receipts/{id}", access: .signedIn)

    // MARK: Sync
    public static let registerDevice = Endpoint<DeviceRegistration, DeviceRegistered>("registerDevice", .post, "/v1/sync/devices", access: .signedIn, success: 201, maxBodyBytes: 4096)
    public static let syncPush = Endpoint<PushRequest, PushResponse>("syncPush", .post, "/v1/sync/push", access: .signedIn, maxBodyBytes: 8 * 1024 * 1024)
    public static let syncPull = Endpoint<PullRequest, PullResponse>("syncPull", .post, "/v1/sync/pull", access: .signedIn, maxBodyBytes: 4096)

    /// Operational routes outside the typed table (text or fixed documents).
    public static let operational: [EndpointDescription] = [
        EndpointDescription(name: "live", method: .get, path: "/health/live", access: .anyone, successStatus: 200),
        EndpointDescription(name: "ready", method: .get, path: "/health/ready", access: .anyone, successStatus: 200),
        EndpointDescription(name: "metrics", method: .get, path: "/metrics", access: .anyone, successStatus: 200),
        EndpointDescription(name: "openapi", method: .get, path: "/openapi.json", access: .anyone, successStatus: 200),
    ]

    /// Every typed endpoint.
    public static let all: [EndpointDescription] = [
        requestOTP.description, verifyOTP.description, passwordLogin.description, refresh.description,
        logout.description, me.description, jwks.description, catalog.description,
        createFeedback.description, listFeedback.description, getFeedback.description, withdrawFeedback.description,
        rateFeedback.description, reopenFeedback.description, feedbackMessages.description,
        postFeedbackMessage.description, feedbackHistory.description, feedbackQueue.description,
        assignFeedback.description, transferFeedback.description, startFeedback.description,
        resolveFeedback.description, rejectFeedback.description,
        createRequest.description, listRequests.description, getRequest.description, supplementRequest.description,
        withdrawRequest.description, requestHistory.description, requestQueue.description, receiveRequest.description,
        startRequest.description, askSupplement.description, apologise.description, resultReady.description,
        completeRequest.description, rejectRequest.description,
        listInvoices.description, getInvoice.description, issueInvoice.description, listPayments.description, getPayment.description,
        listReceipts.description, getReceipt.description, createPayment.description, createRefund.description,
        registerDevice.description, syncPush.description, syncPull.description,
    ]
}
