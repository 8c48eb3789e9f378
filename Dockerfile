# syntax=docker/dockerfile:1
# Build: docker build -t callboard --build-arg VERSION=$(git describe --tags --always --dirty) \
#          --build-arg COMMIT=$(git rev-parse HEAD) .
# Run:   docker run -p 8080:8080 -v callboard-data:/data --env-file callboard.env callboard

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The version and commit come from the build arguments (.git is not copied
# in, see .dockerignore); "callboard version" and /healthz report them.
ARG VERSION=dev
ARG COMMIT=
# Pure Go (modernc SQLite): a static binary with no libc.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/callboard ./cmd/callboard

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/callboard /usr/local/bin/callboard
# The database lives on a volume; the image runs as an unprivileged user.
VOLUME ["/data"]
ENV CALLBOARD_DB=/data/callboard.db \
    CALLBOARD_ADDR=:8080
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/usr/local/bin/callboard", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/callboard"]
CMD ["serve"]
